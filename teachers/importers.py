"""Row schema and validation for uploads (and API writes) of staff members.

One definition of the rules, shared by the file upload (uploads/) and the REST API:

    from teachers.importers import STAFF, validate_row
    from edu_portal.common.importing import ImportContext
    ctx = ImportContext(scope=scope, school=school)
    cleaned, errors = validate_row({"staff_code": "CB1", "full_name": "...", ...}, context=ctx)
    [(rownum, cleaned, state, errors)] = STAFF.resolve([(0, cleaned)], context=ctx)

`validate_row` never touches the database; `resolve` checks a batch (staff member at another
school: a transfer is needed; ID number owned by someone else) and classifies it new, changed or
unchanged. The training standard (Luật Giáo dục 2019, Điều 72; the roadmap of Nghị định 71/2020) is
derived by teachers/standards.py from the school's level, position, qualification, training field,
pedagogy certificate, date of birth and gender, never typed.
"""
from __future__ import annotations

import datetime as dt

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
    id_number_cell,
    id_number_shown,
    id_owner_error,
    id_owners,
    other_school_phrase,
    parse_choice,
    parse_code,
    parse_date,
    parse_name,
    parse_text,
)
from edu_portal.common.models import Gender
from geo.selectors import ETHNICITY_UNKNOWN, ethnicity_lookup, ethnicity_normalize

from .models import EmploymentStatus, Position, Qualification, QualificationStandard, TrainingField
from .standards import qualification_standard
from .writers import write_staff

GENDERS = tuple(Gender.choices)
# "Chứng chỉ NVSP": Có/Không in a file; true/false in the API (parse_choice reads True as "true").
YES_NO = (("true", "Có"), ("false", "Không"))


class StaffImporter(RecordImporter):
    kind = "staff"
    verification_kind = "staff"
    writer = staticmethod(write_staff)
    label = "Cán bộ, giáo viên, nhân viên"
    columns = (
        Column("staff_code", "Mã cán bộ", help="Mã định danh cán bộ do Bộ GD&ĐT cấp", example="CB0000000001"),
        Column("id_number", "Số định danh cá nhân", required=False,
               help="12 chữ số; định dạng ô là Văn bản để Excel không bỏ số 0 ở đầu", example="001085001234"),
        Column("full_name", "Họ và tên", example="Trần Văn Bình"),
        Column("date_of_birth", "Ngày sinh", help="dd/mm/yyyy", example="02/09/1985", date=True),
        Column("gender", "Giới tính", choices=GENDERS, example="Nam"),
        Column("ethnicity", "Dân tộc", required=False,
               help="Tên trong danh mục 54 dân tộc (xem bên dưới); để trống nếu là Kinh", example="Kinh"),
        Column("position", "Chức vụ", choices=tuple(Position.choices), example="Giáo viên"),
        Column("main_subject", "Môn dạy chính", required=False, example="Toán"),
        Column("qualification", "Trình độ đào tạo", choices=tuple(Qualification.choices), example="Đại học"),
        Column("training_field", "Chuyên ngành đào tạo", required=False, choices=tuple(TrainingField.choices),
               help="Sư phạm: bằng thuộc ngành đào tạo giáo viên, đúng cấp học; Ngoài sư phạm: ngành khác. "
                    "Để trống là Sư phạm", example="Sư phạm"),
        Column("pedagogy_certificate", "Chứng chỉ NVSP", required=False, choices=YES_NO,
               help="Chứng chỉ bồi dưỡng nghiệp vụ sư phạm (cần khi bằng ngoài sư phạm, Luật Giáo dục 2019 "
                    "Điều 72). Để trống là Không", example="Không"),
        Column("employment_status", "Tình trạng", required=False, choices=tuple(EmploymentStatus.choices),
               help="Để trống là Đang công tác", example="Đang công tác"),
    )
    key_fields = ("staff_code",)
    code_field, code_table = "staff_code", ("teachers_staffmember", "staff_code", "school_id")
    unique_fields = ("id_number",)
    stage_columns = (("staff_code", "varchar(20)"), ("id_number", "varchar(12)"), ("full_name", "varchar(100)"),
                     ("date_of_birth", "date"), ("gender", "varchar(1)"), ("ethnicity", "varchar(40)"),
                     ("position", "varchar(20)"), ("main_subject", "varchar(60)"), ("qualification", "varchar(20)"),
                     ("training_field", "varchar(20)"), ("pedagogy_certificate", "boolean"),
                     ("qualification_standard", "varchar(20)"), ("meets_qualification_standard", "boolean"),
                     ("employment_status", "varchar(20)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        get = row.get

        check = field_checker(row, errors, lambda key, cell: (
            id_number_shown(cell, context) if key == "id_number" else as_text(cell)))

        code = check("staff_code", parse_code(get("staff_code")))
        name = check("full_name", parse_name(get("full_name")))
        today = context.today
        # Staff are of working age: Bộ luật Lao động 2019 (from 15; retirement by 62 at the latest).
        dob = check("date_of_birth", parse_date(get("date_of_birth"), earliest=dt.date(today.year - 80, 1, 1),
                                                latest=dt.date(today.year - 15, 12, 31),
                                                order=context.date_order("date_of_birth")))
        gender = check("gender", parse_choice(get("gender"), GENDERS))
        id_number = check("id_number", id_number_cell(get("id_number"), date_of_birth=dob, gender=gender,
                                                      context=context))
        ethnicity = ethnicity_normalize(as_text(get("ethnicity")),
                                        lookup=context.reference("ethnicity_lookup", ethnicity_lookup))
        if ethnicity is None:
            errors.append(RowError("ethnicity", as_text(get("ethnicity")), ETHNICITY_UNKNOWN))
        position = check("position", parse_choice(get("position"), tuple(Position.choices)))
        subject = check("main_subject", parse_text(get("main_subject"), max_length=60, required=False))
        qualification = check("qualification", parse_choice(get("qualification"), tuple(Qualification.choices)))
        training = check("training_field", parse_choice(get("training_field"), tuple(TrainingField.choices),
                                                        required=False))
        certificate = check("pedagogy_certificate", parse_choice(get("pedagogy_certificate"), YES_NO,
                                                                 required=False))
        status = check("employment_status", parse_choice(get("employment_status"), tuple(EmploymentStatus.choices),
                                                         required=False))
        if errors:
            return None, errors
        training = str(training or TrainingField.TEACHER_TRAINING)
        certificate = certificate == "true"
        standard = qualification_standard(
            school_level=getattr(context.school, "level", None), position=str(position),
            qualification=str(qualification), training_field=training, pedagogy_certificate=certificate,
            date_of_birth=dob, gender=str(gender), on=today)
        return {"staff_code": code, "id_number": id_number, "full_name": name, "date_of_birth": dob,
                "gender": str(gender), "ethnicity": ethnicity, "position": str(position),
                "main_subject": subject or "", "qualification": str(qualification),
                "training_field": training, "pedagogy_certificate": certificate,
                "qualification_standard": standard,
                "meets_qualification_standard": standard == QualificationStandard.MEETS,
                "employment_status": str(status or EmploymentStatus.WORKING)}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = [c["staff_code"] for _, c in rows]
        id_numbers = [c["id_number"] for _, c in rows if c["id_number"]]
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT m.staff_code, m.school_id, sc.province_id, sc.name, sc.code, m.id_number, m.full_name,
                          m.date_of_birth, m.gender, m.ethnicity, m.position, m.main_subject, m.qualification,
                          m.training_field, m.pedagogy_certificate, m.qualification_standard,
                          m.meets_qualification_standard, m.employment_status,
                          EXISTS (SELECT 1 FROM teachers_staffreassignment r
                                  WHERE r.staff_id = m.id AND r.status = 'pending') AS in_transit
                   FROM teachers_staffmember m JOIN schools_school sc ON sc.id = m.school_id
                   WHERE m.staff_code = ANY(%s)""", [codes])
            existing = {r[0]: r for r in cursor.fetchall()}
            owners = id_owners(cursor, table="teachers_staffmember", code_field="staff_code", id_numbers=id_numbers)
        out = []
        for rownum, c in rows:
            errors = []
            old = existing.get(c["staff_code"])
            taken = id_owner_error(c, owners, code_field="staff_code", noun="cán bộ", context=context)
            if taken:
                errors.append(taken)
            if old is None:
                out.append((rownum, c, NEW, errors))
                continue
            if old[1] != context.school.pk:
                where = other_school_phrase(scope=context.scope, school_id=old[1], province_id=old[2],
                                            name=old[3], code=old[4])
                errors.append(RowError("staff_code", c["staff_code"],
                                       f"là cán bộ đang công tác tại {where}: cần làm thủ tục điều chuyển "
                                       "trước khi tải lên"))
            elif old[5] and c["id_number"] and old[5] != c["id_number"]:
                errors.append(RowError("id_number", c["id_number"],
                                       "khác với số định danh đã có của cán bộ này; hãy kiểm tra lại"))
            if errors:
                out.append((rownum, c, None, errors))
                continue
            if c["id_number"] is None:
                c["id_number"] = old[5]
            new = (c["id_number"], c["full_name"], c["date_of_birth"], c["gender"], c["ethnicity"], c["position"],
                   c["main_subject"], c["qualification"], c["training_field"], c["pedagogy_certificate"],
                   c["qualification_standard"], c["meets_qualification_standard"], c["employment_status"])
            if tuple(old[5:18]) == new:
                out.append((rownum, c, UNCHANGED, []))
            elif old[18]:
                # The form and the API refuse the same edit (teachers.services: in_transit).
                out.append((rownum, c, None, [RowError("staff_code", c["staff_code"],
                                                       "cán bộ đang trong thủ tục điều chuyển công tác: trả lời "
                                                       "đề nghị điều chuyển trước khi sửa hồ sơ")]))
            else:
                context.previous[rownum] = dict(zip(STORED_FIELDS, old[5:18], strict=True))
                out.append((rownum, c, CHANGED, []))
        return out


# The stored values resolve() reads, in its query's order (for the preview's old and new values).
STORED_FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position", "main_subject",
                 "qualification", "training_field", "pedagogy_certificate", "qualification_standard",
                 "meets_qualification_standard", "employment_status")

STAFF = StaffImporter()
IMPORTERS = {STAFF.kind: STAFF}


def validate_row(row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
    """A staff row: the rules the upload and the API share."""
    return STAFF.validate_row(row, context=context)
