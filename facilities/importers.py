"""Uploads of facilities (uploads/ finds IMPORTERS here): three kinds, one record kind per file.

    sites       one row per site (điểm trường): code, name, kind, commune, address, coordinates, distance
    facilities  one row per site and school year: every SiteFacilities field
    equipment   one row per catalogue item a school holds in a school year: quantity, in working order

Every row names its school by code ("Mã trường"): a school's own file leaves it empty, a province's may
cover many schools. The rules are the services' and the models': `validate_row` builds the model
instance and runs its `clean_fields()` and `clean()` (no database), `resolve` checks a batch against the
database (the school in scope, the commune in its province, one main site, the site of a facilities row,
the item in the school level's catalogue) in a few queries, and writers.py writes the file set-based in
the commit's transaction.
"""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.utils import translation

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
    is_blank,
    parse_choice,
    parse_decimal,
    parse_int,
    parse_school_year,
    parse_text,
)
from edu_portal.common.importing.parsers import UPLOAD_LANGUAGE
from geo.selectors import commune_provinces

from .models import (
    COMMUNE_OUTSIDE_PROVINCE,
    EquipmentHolding,
    EquipmentItem,
    Site,
    SiteFacilities,
    SiteKind,
    great_circle_km,
)
from .selectors import equipment_items_for
from .services import (
    FACILITIES_FIELDS,
    FIRST_YEAR,
    INACTIVE_SITE,
    MAIN_SITE_FIRST,
    item_refused,
    latest_school_year,
    main_site_exists,
)
from .writers import write_equipment, write_facilities, write_sites

SCHOOL_CODE = Column("school_code", "Mã trường", required=False,
                     help="Mã trường do Bộ GD&ĐT cấp. Để trống khi tải lên cho trường của mình; phòng, sở tải lên "
                          "cho nhiều trường ghi mã trường ở mỗi dòng", example="01000123")
SCHOOL_YEAR = Column("school_year", "Năm học", required=False, help="Dạng YYYY-YYYY; để trống là năm học hiện tại",
                     example="2025-2026")
COORDINATE_MAX = Decimal("999.999999")  # what the columns hold (9 digits, 6 decimals)
NOT_IN_SCOPE = "không có trường mã này trong phạm vi của bạn"


def _row_school_code(row: dict, context: ImportContext, errors: list) -> str | None:
    raw = row.get("school_code")
    if is_blank(raw):
        if context.school is not None:
            return context.school.code
        errors.append(RowError("school_code", "", "không được để trống khi tệp gồm nhiều trường"))
        return None
    return as_text(raw).strip()


def _school_year(row: dict, context: ImportContext, errors: list) -> int | None:
    raw = row.get("school_year")
    if is_blank(raw):
        return context.school_year
    year, why = parse_school_year(raw, current=context.reference("facilities_latest_year", latest_school_year))
    if why is None and year < FIRST_YEAR:
        why = "nằm ngoài khoảng năm học cho phép"
    if why:
        errors.append(RowError("school_year", as_text(raw), why))
    return year


def _outcome(rownum: int, cleaned: dict, old: dict | None, fields, context: ImportContext) -> tuple:
    """A valid row is new, unchanged (every stored field equal) or a change (the stored values kept for the
    preview's before/after)."""
    if old is None:
        return rownum, cleaned, NEW, []
    if all(old[f] == cleaned[f] for f in fields):
        return rownum, cleaned, UNCHANGED, []
    context.previous[rownum] = old
    return rownum, cleaned, CHANGED, []


def _model_errors(instance, *, exclude: list[str], row: dict) -> list:
    """The model's own rules (field validators, then clean()) as row errors on the columns they name."""
    found: dict[str, list[str]] = {}
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        found.update(exc.message_dict)
    try:
        instance.clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            found.setdefault(field, messages)
    return [RowError(field, as_text(row.get(field)), str(messages[0])) for field, messages in found.items()]


def _schools(codes: set[str], context: ImportContext) -> dict[str, tuple | None]:
    """School code -> (id, province, level), kept over the whole file; None for a code not found.
    Excel drops the leading zeros of an all-digit code: such a code finds the school it was."""
    cache = context.reference("facilities_schools", dict)
    missing = [c for c in codes if c not in cache]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT code, id, province_id, level FROM schools_school WHERE code = ANY(%s)", [missing])
            for code, pk, province, level in cursor.fetchall():
                cache[code] = (pk, province, level)
            stripped = [c for c in missing if c not in cache and c.isdigit()]
            if stripped:
                cursor.execute("""SELECT ltrim(code, '0'), id, province_id, level FROM schools_school
                                  WHERE code ~ '^0+[0-9]+$' AND ltrim(code, '0') = ANY(%s)""",
                               [[c.lstrip("0") for c in stripped]])
                found = {code: rest for code, *rest in cursor.fetchall()}
                for code in stripped:
                    if code.lstrip("0") in found:
                        cache[code] = tuple(found[code.lstrip("0")])
        for code in missing:
            cache.setdefault(code, None)
    return cache


def _school_of(cleaned: dict, schools: dict, context: ImportContext) -> tuple[tuple | None, RowError | None]:
    """The row's school when the importer may write it: in scope, and the upload's school when it has one."""
    code = cleaned["school_code"]
    school = schools.get(code)
    if school is None or not context.scope.covers(school_id=school[0], province_id=school[1]):
        return None, RowError("school_code", code, NOT_IN_SCOPE)
    if context.school is not None and school[0] != context.school.pk:
        return None, RowError("school_code", code, f"khác với trường của tệp tải lên ({context.school.code})")
    return school, None


# --- sites ------------------------------------------------------------------------------------------------

SITE_STORED = ("name", "kind", "commune_id", "address", "latitude", "longitude", "distance_km")


class SiteImporter(RecordImporter):
    kind = "sites"
    writer = staticmethod(write_sites)
    label = "Điểm trường"
    needs_school = False
    rows_name_school = True
    columns = (
        SCHOOL_CODE,
        Column("code", "Mã điểm trường", help="Do trường đặt, không trùng trong trường", example="DT01"),
        Column("name", "Tên điểm trường", example="Điểm trường chính"),
        Column("kind", "Loại điểm trường", choices=tuple(SiteKind.choices),
               help="Mỗi trường có đúng một điểm trường chính", example="Điểm trường chính"),
        Column("commune", "Mã xã/phường", help="5 chữ số (sau sáp nhập 2025), thuộc tỉnh của trường",
               example="00004"),
        Column("address", "Địa chỉ", required=False, example="Thôn Nà Hang"),
        Column("latitude", "Vĩ độ", required=False, help="Độ thập phân, ví dụ 21,0285; để trống nếu chưa có",
               example="21,0285"),
        Column("longitude", "Kinh độ", required=False, help="Độ thập phân, ví dụ 105,8542", example="105,8542"),
        Column("distance_km", "Khoảng cách đến điểm trường chính (km)", required=False,
               help="Điểm trường lẻ; tự tính khi có toạ độ của cả hai điểm trường", example="3,5"),
    )
    key_fields = ("school_code", "code")
    stage_columns = (("school_id", "integer"), ("code", "varchar(20)"), ("name", "varchar(200)"),
                     ("kind", "varchar(10)"), ("commune_id", "varchar(5)"), ("address", "varchar(300)"),
                     ("latitude", "numeric(9,6)"), ("longitude", "numeric(9,6)"), ("distance_km", "numeric(6,1)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        get = row.get

        check = field_checker(row, errors)

        school_code = _row_school_code(row, context, errors)
        code = check("code", parse_text(get("code"), max_length=20))
        name = check("name", parse_text(get("name"), max_length=200))
        kind = check("kind", parse_choice(get("kind"), tuple(SiteKind.choices)))
        commune = as_text(get("commune")).strip().zfill(5)
        if commune not in context.reference("commune_provinces", commune_provinces):
            errors.append(RowError("commune", as_text(get("commune")), "không phải là mã xã/phường hợp lệ (5 chữ số)"))
        address = check("address", parse_text(get("address"), max_length=300, required=False))
        # Wide bounds: the model says what is wrong with a point outside Vietnam (swapped, sign lost...).
        latitude = check("latitude", parse_decimal(get("latitude"), low=-COORDINATE_MAX, high=COORDINATE_MAX,
                                                   places=6, required=False))
        longitude = check("longitude", parse_decimal(get("longitude"), low=-COORDINATE_MAX, high=COORDINATE_MAX,
                                                     places=6, required=False))
        distance = check("distance_km", parse_decimal(get("distance_km"), low=Decimal("-99999.9"),
                                                      high=Decimal("99999.9"), places=1, required=False))
        if errors:
            return None, errors
        cleaned = {"school_code": school_code, "code": code, "name": name, "kind": str(kind), "commune_id": commune,
                   "address": address or "", "latitude": latitude, "longitude": longitude,
                   "distance_km": None if kind == SiteKind.MAIN else distance}  # as site_create: a main has none
        errors = site_errors(cleaned, row)
        return (None, errors) if errors else (cleaned, [])

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        schools = _schools({c["school_code"] for _, c in rows}, context)
        provinces = context.reference("commune_provinces", commune_provinces)
        ids = {s[0] for s in schools.values() if s}
        with connection.cursor() as cursor:
            cursor.execute(f"""SELECT school_id, code, {', '.join(SITE_STORED)} FROM facilities_site
                               WHERE school_id = ANY(%s)""", [list(ids)])  # noqa: S608 - fixed names
            stored = {(r[0], r[1]): dict(zip(SITE_STORED, r[2:], strict=True)) for r in cursor.fetchall()}
        db_mains = {school_id: (code, s) for (school_id, code), s in stored.items() if s["kind"] == SiteKind.MAIN}
        # The main sites named so far in the file (satellites measure their distance to them).
        file_mains = context.reference("facilities_file_mains", dict)
        out, placed = [], []
        for rownum, c in rows:
            school, refused = _school_of(c, schools, context)
            if refused:
                out.append((rownum, c, None, [refused]))
                continue
            c["school_id"] = school[0]
            errors = []
            if provinces.get(c["commune_id"]) != school[1]:
                errors.append(RowError("commune", c["commune_id"], str(COMMUNE_OUTSIDE_PROVINCE)))
            old = stored.get((school[0], c["code"]))
            if old is not None and old["kind"] != c["kind"]:
                errors.append(RowError("kind", c["kind"], "không sửa được loại của điểm trường đã ghi (mỗi trường "
                                                          "có đúng một điểm trường chính)"))
            elif c["kind"] == SiteKind.MAIN:
                db_main = db_mains.get(school[0])
                first = file_mains.get(school[0])
                if db_main and db_main[0] != c["code"]:
                    errors.append(RowError("kind", c["kind"], main_site_exists(db_main[1]["name"])))
                elif first and first[0] != c["code"]:
                    errors.append(RowError("kind", c["kind"], f"trường đã có điểm trường chính ở dòng {first[3]}"))
                else:
                    file_mains[school[0]] = (c["code"], c["latitude"], c["longitude"], rownum)
            placed.append((rownum, c, old, errors))
        for rownum, c, old, errors in placed:
            if not errors and c["kind"] == SiteKind.SATELLITE:
                errors = self._measured(c, rownum, file_mains.get(c["school_id"]), db_mains.get(c["school_id"]))
            out.append((rownum, c, None, errors) if errors else _outcome(rownum, c, old, SITE_STORED, context))
        return out

    @staticmethod
    def _measured(c: dict, rownum: int, file_main, db_main) -> list:
        """A satellite's distance from the coordinates when both its own and its main site's are known (what
        was typed gives way, as in services._distance_apply), checked again."""
        if file_main is not None:
            main_lat, main_lon = file_main[1], file_main[2]
        elif db_main is not None:
            main_lat, main_lon = db_main[1]["latitude"], db_main[1]["longitude"]
        else:
            return [RowError("kind", c["kind"], str(MAIN_SITE_FIRST))]
        if None in (c["latitude"], c["longitude"], main_lat, main_lon):
            return []
        c["distance_km"] = great_circle_km(c["latitude"], c["longitude"], main_lat, main_lon)
        return site_errors(c, {**c, "distance_km": c["distance_km"]})


def site_errors(cleaned: dict, row: dict) -> list:
    """Site.clean() on a row (its school left out: the commune's province is checked in resolve, in bulk)."""
    site = Site(code=cleaned["code"], name=cleaned["name"], kind=cleaned["kind"], address=cleaned["address"],
                latitude=cleaned["latitude"], longitude=cleaned["longitude"], distance_km=cleaned["distance_km"])
    return _model_errors(site, exclude=["school", "commune"], row=row)


# --- facilities of a site and year ------------------------------------------------------------------------

FIELDS = {f.name: f for f in SiteFacilities._meta.fields if f.name in FACILITIES_FIELDS}
COUNTS = set(SiteFacilities.COUNT_FIELDS)


def _field_check(field):
    """A test of one parsed value that passes exactly when `field.clean()` would: the bounds of the field's
    Min/MaxValueValidators (the model's own and the database's integer range), None where the field allows it,
    or the codes of its choices that field.clean() accepts. A field with any other validator is cleaned by
    Django itself."""
    if field.choices:
        codes = set()
        for code, _label in field.choices:
            try:
                field.clean(code, None)
            except ValidationError:
                continue
            codes.add(code)
        return codes.__contains__
    low = high = None
    for validator in field.validators:
        limit = validator.limit_value if isinstance(validator, MinValueValidator | MaxValueValidator) else None
        if limit is None or callable(limit):
            return lambda value, field=field: _django_clean_ok(field, value)
        if isinstance(validator, MinValueValidator):
            low = limit if low is None else max(low, limit)
        else:
            high = limit if high is None else min(high, limit)
    none_ok = field.null and field.blank
    return lambda value: none_ok if value is None else (
        value.__class__ is int and (low is None or value >= low) and (high is None or value <= high))


def _django_clean_ok(field, value) -> bool:
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


def _facilities_errors(values: dict, row: dict, context: ImportContext) -> list:
    """SiteFacilities' rules on a row: the field checks (_FIELD_CHECKS) and clean() on a scratch row of the
    upload. Any failure is named by the full run (_model_errors: Django's field validation, then clean()), so
    a refused row reads as it always has; a good row, nearly every row of a national file, costs a fraction
    (no model built, no validator objects called: a national file is ~100,000 rows)."""
    if all(check(values[name]) for name, check in _FIELD_CHECKS):
        scratch = context.reference("facilities_scratch_row", SiteFacilities)
        scratch.__dict__.update(values)  # every field clean() reads is a FACILITIES_FIELDS value of this row
        try:
            scratch.clean()
        except ValidationError:
            pass
        else:
            return []
    return _model_errors(SiteFacilities(**values), exclude=["site", "school", "school_year"], row=row)


_FIELD_CHECKS = tuple((name, _field_check(field)) for name, field in FIELDS.items())


def _facilities_column(name: str) -> Column:
    field = FIELDS[name]
    header = str(field.verbose_name)
    header = header[0].upper() + header[1:]
    if field.choices:
        with translation.override(UPLOAD_LANGUAGE):
            example = str(field.choices[0][1])
        return Column(name, header, choices=tuple(field.choices), example=example)
    if name in COUNTS:
        return Column(name, header, help="Số nguyên, ghi 0 nếu không có", example="0")
    return Column(name, header, required=False, help="Số nguyên; để trống nếu chưa biết")


class FacilitiesImporter(RecordImporter):
    kind = "facilities"
    writer = staticmethod(write_facilities)
    label = "Cơ sở vật chất điểm trường"
    needs_school = False
    rows_name_school = True
    columns = (
        SCHOOL_CODE,
        Column("site_code", "Mã điểm trường", help="Điểm trường đã ghi (tải lên danh sách điểm trường trước)",
               example="DT01"),
        SCHOOL_YEAR,
        *(_facilities_column(name) for name in FACILITIES_FIELDS),
    )
    key_fields = ("school_code", "site_code", "school_year")
    stage_columns = (("site_id", "bigint"), ("school_id", "integer"), ("school_year", "smallint"),
                     *((name, "varchar(10)" if FIELDS[name].choices else "integer") for name in FACILITIES_FIELDS))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        school_code = _row_school_code(row, context, errors)
        site_code, why = parse_text(row.get("site_code"), max_length=20)
        if why:
            errors.append(RowError("site_code", as_text(row.get("site_code")), why))
        year = _school_year(row, context, errors)
        values = {}
        for name, field in FIELDS.items():
            raw = row.get(name)
            if field.choices:
                value, why = parse_choice(raw, tuple(field.choices))
                value = None if value is None else str(value)
            else:  # the bounds and their messages are the model's validators
                value, why = parse_int(raw, low=-(10 ** 9), high=10 ** 9, required=name in COUNTS)
            if why:
                errors.append(RowError(name, as_text(raw), why))
            values[name] = value
        if errors:
            return None, errors
        errors = _facilities_errors(values, row, context)
        if errors:
            return None, errors
        return {"school_code": school_code, "site_code": site_code, "school_year": year, **values}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        schools = _schools({c["school_code"] for _, c in rows}, context)
        ids = [s[0] for s in schools.values() if s]
        years = sorted({c["school_year"] for _, c in rows})
        fields = ", ".join(FACILITIES_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT school_id, code, id, active FROM facilities_site WHERE school_id = ANY(%s)", [ids])
            sites = {(r[0], r[1]): (r[2], r[3]) for r in cursor.fetchall()}
            # Only the years of the batch: a new year's census finds nothing, not the school's past years.
            cursor.execute(f"""SELECT site_id, school_year, {fields} FROM facilities_sitefacilities
                               WHERE school_id = ANY(%s) AND school_year = ANY(%s)""", [ids, years])  # noqa: S608
            stored = {(r[0], r[1]): dict(zip(FACILITIES_FIELDS, r[2:], strict=True)) for r in cursor.fetchall()}
        out = []
        for rownum, c in rows:
            school, refused = _school_of(c, schools, context)
            if refused:
                out.append((rownum, c, None, [refused]))
                continue
            site = sites.get((school[0], c["site_code"]))
            if site is None:
                out.append((rownum, c, None, [RowError("site_code", c["site_code"],
                                                       "không có điểm trường mã này ở trường: hãy tải lên danh "
                                                       "sách điểm trường trước")]))
                continue
            if not site[1]:
                out.append((rownum, c, None, [RowError("site_code", c["site_code"], str(INACTIVE_SITE))]))
                continue
            c["site_id"], c["school_id"] = site[0], school[0]
            out.append(_outcome(rownum, c, stored.get((site[0], c["school_year"])), FACILITIES_FIELDS, context))
        return out


# --- equipment --------------------------------------------------------------------------------------------

def _catalogue() -> dict[str, int]:
    return dict(EquipmentItem.objects.values_list("code", "pk"))


def _catalogue_of_level(level: str) -> frozenset[str]:
    return frozenset(equipment_items_for(school=SimpleNamespace(level=level)).values_list("code", flat=True))


class EquipmentImporter(RecordImporter):
    kind = "equipment"
    writer = staticmethod(write_equipment)
    label = "Thiết bị dạy học"
    needs_school = False
    rows_name_school = True
    columns = (
        SCHOOL_CODE,
        SCHOOL_YEAR,
        Column("item", "Mã thiết bị", help="Mã trong danh mục thiết bị dạy học tối thiểu (trang 'Danh mục thiết bị')",
               example="TH-TOAN-HINH-HOC"),
        Column("quantity", "Số lượng hiện có", help="Số nguyên", example="5"),
        Column("working", "Số lượng dùng được", help="Không lớn hơn số lượng hiện có", example="4"),
    )
    key_fields = ("school_code", "school_year", "item")
    stage_columns = (("school_id", "integer"), ("school_year", "smallint"), ("item_id", "integer"),
                     ("quantity", "integer"), ("working", "integer"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        school_code = _row_school_code(row, context, errors)
        year = _school_year(row, context, errors)
        code = as_text(row.get("item")).strip().upper()
        if not code:
            errors.append(RowError("item", "", "không được để trống"))
        elif code not in context.reference("equipment_catalogue", _catalogue):
            errors.append(RowError("item", code, item_refused(code, known=False)))
        counts = {}
        for name in ("quantity", "working"):
            counts[name], why = parse_int(row.get(name), low=-(10 ** 9), high=10 ** 9)
            if why:
                errors.append(RowError(name, as_text(row.get(name)), why))
        if errors:
            return None, errors
        errors = _model_errors(EquipmentHolding(**counts), exclude=["school", "item", "school_year"], row=row)
        if errors:
            return None, errors
        return {"school_code": school_code, "school_year": year, "item": code,
                "item_id": context.reference("equipment_catalogue", _catalogue)[code], **counts}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        schools = _schools({c["school_code"] for _, c in rows}, context)
        ids = [s[0] for s in schools.values() if s]
        with connection.cursor() as cursor:
            cursor.execute("""SELECT school_id, school_year, item_id, quantity, working
                              FROM facilities_equipmentholding WHERE school_id = ANY(%s)""", [ids])
            stored = {(r[0], r[1], r[2]): {"quantity": r[3], "working": r[4]} for r in cursor.fetchall()}
        out = []
        for rownum, c in rows:
            school, refused = _school_of(c, schools, context)
            if refused:
                out.append((rownum, c, None, [refused]))
                continue
            if c["item"] not in context.reference(f"equipment_catalogue_{school[2]}",
                                                  lambda level=school[2]: _catalogue_of_level(level)):
                out.append((rownum, c, None, [RowError("item", c["item"], item_refused(c["item"], known=True))]))
                continue
            c["school_id"] = school[0]
            out.append(_outcome(rownum, c, stored.get((school[0], c["school_year"], c["item_id"])),
                                ("quantity", "working"), context))
        return out


SITES, FACILITIES, EQUIPMENT = SiteImporter(), FacilitiesImporter(), EquipmentImporter()
IMPORTERS = {i.kind: i for i in (SITES, FACILITIES, EQUIPMENT)}
