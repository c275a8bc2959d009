"""Row schema and validation for uploads (and API writes) of schools, by province and ministry users.

One definition of the rules, shared by the file upload (uploads/) and the REST API:

    from schools.importers import SCHOOLS, validate_row
    from edu_portal.common.importing import ImportContext
    ctx = ImportContext(scope=scope)              # no school: the rows name their province
    cleaned, errors = validate_row({"code": "...", "name": "...", ...}, context=ctx)
    [(rownum, cleaned, state, errors)] = SCHOOLS.resolve([(0, cleaned)], context=ctx)

Rows are matched by the MOET school code. A row whose province, or whose existing school, lies
outside the user's scope is refused. `validate_row` never touches the database except for the
cached reference lists of provinces and communes.
"""
from __future__ import annotations

from django.db import connection

from edu_portal.common.importing import (
    CHANGED,
    NEW,
    UNCHANGED,
    Column,
    ImportContext,
    RecordImporter,
    RowError,
    as_text,
    field_checker,
    formula_errors,
    parse_choice,
    parse_code,
    parse_text,
)
from geo.selectors import commune_provinces, province_codes

from .models import Ownership, SchoolLevel, SchoolStatus
from .writers import write_schools

# A merged school must name the school that took it over, which a file row cannot check well:
# merging is done on the school's page.
UPLOAD_STATUSES = ((SchoolStatus.OPEN.value, SchoolStatus.OPEN.label),
                   (SchoolStatus.CLOSED.value, SchoolStatus.CLOSED.label))


class SchoolImporter(RecordImporter):
    kind = "schools"
    writer = staticmethod(write_schools)
    label = "Trường học"
    needs_school = False
    columns = (
        Column("code", "Mã trường", help="Mã trường do Bộ GD&ĐT cấp", example="01000123"),
        Column("name", "Tên trường", example="Trường Tiểu học Kim Liên"),
        Column("level", "Cấp học", choices=tuple(SchoolLevel.choices), example="Tiểu học"),
        Column("ownership", "Loại hình", choices=tuple(Ownership.choices), example="Công lập"),
        Column("province", "Mã tỉnh", help="2 chữ số (sau sáp nhập 2025)", example="01"),
        Column("commune", "Mã xã/phường", help="5 chữ số (sau sáp nhập 2025)", example="00004"),
        Column("address", "Địa chỉ", required=False, example="Số 1 phố Kim Liên"),
        Column("status", "Trạng thái", required=False, choices=UPLOAD_STATUSES,
               help="Để trống là Đang hoạt động", example="Đang hoạt động"),
    )
    key_fields = ("code",)
    code_field, code_table = "code", ("schools_school", "code", "")
    stage_columns = (("code", "varchar(20)"), ("name", "varchar(200)"), ("level", "varchar(20)"),
                     ("ownership", "varchar(20)"), ("province_id", "varchar(2)"), ("commune_id", "varchar(5)"),
                     ("address", "varchar(300)"), ("status", "varchar(10)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        get = row.get

        check = field_checker(row, errors)

        code = check("code", parse_code(get("code")))
        name = check("name", parse_text(get("name"), max_length=200))
        level = check("level", parse_choice(get("level"), tuple(SchoolLevel.choices)))
        ownership = check("ownership", parse_choice(get("ownership"), tuple(Ownership.choices)))
        address = check("address", parse_text(get("address"), max_length=300, required=False))
        status = check("status", parse_choice(get("status"), UPLOAD_STATUSES, required=False))
        province = as_text(get("province")).strip().zfill(2)
        if province not in context.reference("province_codes", province_codes):
            errors.append(RowError("province", as_text(get("province")),
                                   "không phải là mã tỉnh/thành phố hợp lệ (2 chữ số, xem trang Mã hợp lệ)"))
        elif not context.scope.contains_province(province):
            errors.append(RowError("province", province, "nằm ngoài phạm vi quản lý của bạn"))
        commune = as_text(get("commune")).strip().zfill(5)
        commune_province = context.reference("commune_provinces", commune_provinces).get(commune)
        if commune_province is None:
            errors.append(RowError("commune", as_text(get("commune")),
                                   "không phải là mã xã/phường hợp lệ (5 chữ số)"))
        elif commune_province != province:
            errors.append(RowError("commune", commune, "không thuộc tỉnh/thành phố đã ghi"))
        if errors:
            return None, errors
        return {"code": code, "name": name, "level": str(level), "ownership": str(ownership), "province_id": province,
                "commune_id": commune, "address": address or "", "status": str(status or SchoolStatus.OPEN)}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = [c["code"] for _, c in rows]
        with connection.cursor() as cursor:
            cursor.execute("""SELECT code, province_id, name, level, ownership, commune_id, address, status
                              FROM schools_school WHERE code = ANY(%s)""", [codes])
            existing = {r[0]: r for r in cursor.fetchall()}
        out = []
        for rownum, c in rows:
            old = existing.get(c["code"])
            if old is None:
                out.append((rownum, c, NEW, []))
            elif not context.scope.contains_province(old[1]):
                out.append((rownum, c, None, [RowError("code", c["code"],
                                                       "là mã của một trường ngoài phạm vi quản lý của bạn")]))
            else:
                new = (c["province_id"], c["name"], c["level"], c["ownership"], c["commune_id"], c["address"],
                       c["status"])
                if tuple(old[1:]) == new:
                    out.append((rownum, c, UNCHANGED, []))
                else:
                    context.previous[rownum] = dict(zip(STORED_FIELDS, old[1:], strict=True))
                    out.append((rownum, c, CHANGED, []))
        return out


# The stored values resolve() reads, in its query's order (for the preview's old and new values).
STORED_FIELDS = ("province_id", "name", "level", "ownership", "commune_id", "address", "status")

SCHOOLS = SchoolImporter()
IMPORTERS = {SCHOOLS.kind: SCHOOLS}


def validate_row(row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
    """A school row: the rules the upload and the API share."""
    return SCHOOLS.validate_row(row, context=context)
