"""Pupils with their enrollment for the school year: the rules the upload and the API share."""
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
    formula_errors,
    id_number_cell,
    id_number_shown,
    id_owner_error,
    id_owners,
    is_blank,
    other_school_phrase,
    parse_choice,
    parse_code,
    parse_date,
    parse_int,
    parse_name,
    parse_text,
)
from edu_portal.common.models import Gender
from geo.selectors import ETHNICITY_UNKNOWN, ethnicity_lookup, ethnicity_normalize, province_codes
from schools.models import grades_taught

from ..duplicates import students_likely_duplicates_many
from ..intake import missing_reason_errors, missing_reason_parse
from ..preschool import PreschoolAgeError, enrollment_age_group
from ..writers import write_pupils

GENDERS = tuple(Gender.choices) + (("M", "Nam"), ("F", "Nữ"))


# The stored values resolve() reads, in its query's order (for the preview's old and new values).
STORED_FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "ethnicity", "birth_province_id", "grade",
                 "class_name")
# New rows checked against the pupils on file per query (students_likely_duplicates_many), and the likely
# duplicates listed per row (as the add-pupil form lists them).
DUPLICATE_BATCH = 5000
DUPLICATES_PER_ROW = 5


class PupilImporter(RecordImporter):
    kind = "pupils"
    verification_kind = "student"
    duplicate_scan_task = "students.duplicates_scan_pupils"
    writer = staticmethod(write_pupils)
    label = "Học sinh (kèm ghi danh năm học)"
    columns = (
        Column("pupil_code", "Mã học sinh", help="Mã định danh học sinh do Bộ GD&ĐT cấp", example="HS0000000001"),
        Column("id_number", "Số định danh cá nhân", required=False,
               help="12 chữ số; định dạng ô là Văn bản để Excel không bỏ số 0 ở đầu", example="001215001234"),
        Column("id_number_missing_reason", "Lý do chưa có số định danh", required=False,
               help="Bắt buộc khi để trống số định danh: Chưa có số định danh (trẻ mới sinh / chưa làm thủ tục), "
                    "Đang chờ cấp, Người nước ngoài, hoặc ghi lý do khác", example=""),
        Column("full_name", "Họ và tên", example="Nguyễn Thị An"),
        Column("date_of_birth", "Ngày sinh", help="dd/mm/yyyy", example="15/03/2015", date=True),
        Column("gender", "Giới tính", choices=(("M", "Nam"), ("F", "Nữ")), example="Nữ"),
        Column("ethnicity", "Dân tộc", required=False,
               help="Tên trong danh mục 54 dân tộc (xem bên dưới); để trống nếu là Kinh", example="Kinh"),
        Column("birth_province", "Nơi sinh (mã tỉnh)", required=False,
               help="Mã tỉnh/thành phố 2 chữ số (sau sáp nhập 2025)", example="01"),
        Column("grade", "Khối", help="0 (mầm non) đến 12", example="3"),
        Column("class_name", "Lớp", example="3A"),
    )
    key_fields = ("pupil_code",)
    code_field, code_table = "pupil_code", ("students_student", "pupil_code", "school_id")
    unique_fields = ("id_number",)
    stage_columns = (("pupil_code", "varchar(20)"), ("id_number", "varchar(12)"), ("full_name", "varchar(100)"),
                     ("date_of_birth", "date"), ("gender", "varchar(1)"), ("ethnicity", "varchar(40)"),
                     ("birth_province_id", "varchar(2)"), ("grade", "smallint"), ("class_name", "varchar(20)"),
                     ("id_number_missing_reason", "varchar(12)"), ("id_number_missing_note", "varchar(200)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = formula_errors(row)
        if errors:
            return None, errors
        get = row.get
        code, why = parse_code(get("pupil_code"))
        if why:
            errors.append(RowError("pupil_code", as_text(get("pupil_code")), why))
        name, why = parse_name(get("full_name"))
        if why:
            errors.append(RowError("full_name", as_text(get("full_name")), why))
        today = context.today
        dob, why = parse_date(get("date_of_birth"), earliest=dt.date(today.year - 30, 1, 1), latest=today,
                              order=context.date_order("date_of_birth"))
        if why:
            errors.append(RowError("date_of_birth", as_text(get("date_of_birth")), why))
        gender, why = parse_choice(get("gender"), GENDERS)
        if why:
            errors.append(RowError("gender", as_text(get("gender")), why))
        id_number, why = id_number_cell(get("id_number"), date_of_birth=dob, gender=gender, context=context)
        if why:
            errors.append(RowError("id_number", id_number_shown(get("id_number"), context), why))
        # The form and the API may send the note of "other" apart; a cell carries it as its text.
        reason, note = missing_reason_parse(get("id_number_missing_reason"), get("id_number_missing_note"))
        if id_number is not None:
            reason = note = ""  # the number is there: nothing to explain
        for why in missing_reason_errors(id_number=id_number, reason=reason, note=note, required=False):
            errors.append(RowError("id_number_missing_reason", as_text(get("id_number_missing_reason")), why))
        ethnicity = ethnicity_normalize(as_text(get("ethnicity")),
                                        lookup=context.reference("ethnicity_lookup", ethnicity_lookup))
        if ethnicity is None:
            errors.append(RowError("ethnicity", as_text(get("ethnicity")), ETHNICITY_UNKNOWN))
        province = None
        raw_province = get("birth_province")
        if not is_blank(raw_province):
            province = as_text(raw_province).strip().zfill(2)
            if province not in context.reference("province_codes", province_codes):
                errors.append(RowError("birth_province", as_text(raw_province),
                                       "không phải là mã tỉnh/thành phố hợp lệ (2 chữ số, xem trang Mã hợp lệ)"))
        low, high = grades_taught(getattr(context.school, "level", None))
        grade, why = parse_int(get("grade"), low=low, high=high)
        if why:
            errors.append(RowError("grade", as_text(get("grade")),
                                   why + (" với cấp học của trường" if "phải từ" in why else "")))
        class_name, why = parse_text(get("class_name"), max_length=20)
        if why:
            errors.append(RowError("class_name", as_text(get("class_name")), why))
        if grade is not None and dob is not None:
            # Preschool: the child's age must fit a nhà trẻ / mẫu giáo group (students.preschool).
            try:
                enrollment_age_group(grade=grade, date_of_birth=dob, school_year=context.school_year, today=today)
            except PreschoolAgeError as wrong_age:
                errors.append(RowError("date_of_birth", as_text(get("date_of_birth")), str(wrong_age)))
        if errors:
            return None, errors
        return {"pupil_code": code, "id_number": id_number, "full_name": name, "date_of_birth": dob,
                "gender": gender, "ethnicity": ethnicity, "birth_province_id": province,
                "grade": grade, "class_name": class_name, "id_number_missing_reason": reason,
                "id_number_missing_note": note}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = [c["pupil_code"] for _, c in rows]
        id_numbers = [c["id_number"] for _, c in rows if c["id_number"]]
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT s.pupil_code, s.school_id, sc.province_id, sc.name, sc.code, s.id_number, s.full_name,
                          s.date_of_birth, s.gender, s.ethnicity, s.birth_province_id, e.grade, e.class_name,
                          (SELECT tsc.name FROM students_transferrequest tr JOIN schools_school tsc
                               ON tsc.id = tr.to_school_id
                           WHERE tr.student_id = s.id AND tr.status = 'pending'),
                          (SELECT le.status FROM students_enrollment le
                           WHERE le.student_id = s.id AND le.school_id = s.school_id
                           ORDER BY le.school_year DESC, le.id DESC LIMIT 1),
                          s.id_number_missing_reason, s.id_number_missing_note
                   FROM students_student s JOIN schools_school sc ON sc.id = s.school_id
                   LEFT JOIN students_enrollment e ON e.student_id = s.id AND e.school_year = %s
                       AND e.status <> 'transferred_out'
                   WHERE s.pupil_code = ANY(%s)""", [context.school_year, codes])
            existing = {r[0]: r for r in cursor.fetchall()}
            owners = id_owners(cursor, table="students_student", code_field="pupil_code", id_numbers=id_numbers)
        school_id = context.school.pk
        out = []
        for rownum, c in rows:
            errors = []
            old = existing.get(c["pupil_code"])
            taken = id_owner_error(c, owners, code_field="pupil_code", noun="học sinh", context=context)
            if taken:
                errors.append(taken)
            if old is None:
                # A new pupil without a number says why (students.intake), when the user could have typed it.
                for why in missing_reason_errors(id_number=c["id_number"], reason=c["id_number_missing_reason"],
                                                 note=c["id_number_missing_note"],
                                                 required=context.scope.may_enter_id_numbers):
                    errors.append(RowError("id_number_missing_reason", "", why))
                out.append((rownum, c, NEW, errors))
                continue
            if old[1] != school_id:
                where = other_school_phrase(scope=context.scope, school_id=old[1], province_id=old[2],
                                            name=old[3], code=old[4])
                errors.append(RowError("pupil_code", c["pupil_code"],
                                       f"là học sinh đang học tại {where}: cần làm thủ tục chuyển trường "
                                       "trước khi tải lên"))
            elif old[13] is not None:
                # The upload is a write on the pupil like any other (students.services.student_in_transit_check):
                # while a receiving school waits for an answer, the record it asked for stays as it is.
                errors.append(RowError("pupil_code", c["pupil_code"],
                                       f"học sinh đang trong thủ tục chuyển trường ({old[13]} đề nghị tiếp nhận): "
                                       "trả lời đề nghị trên trang Chuyển trường trước khi tải lên"))
            elif old[14] == "transferred_out":
                # "Chờ tiếp nhận": a row would enroll the pupil here again without anyone deciding it.
                errors.append(RowError("pupil_code", c["pupil_code"],
                                       "học sinh đã được ghi nhận chuyển trường, chờ trường tiếp nhận: nếu học sinh "
                                       "học lại tại trường, dùng nút Tiếp nhận lại trên trang của học sinh"))
            elif old[5] and c["id_number"] and old[5] != c["id_number"]:
                errors.append(RowError("id_number", c["id_number"],
                                       "khác với số định danh đã có của học sinh này; hãy kiểm tra lại "
                                       "(nếu cần, sửa số định danh bằng nút Sửa trên trang của học sinh)"))
            if errors:
                out.append((rownum, c, None, errors))
                continue
            if c["id_number"] is None:
                c["id_number"] = old[5]  # an empty cell keeps the number already on record
            if c["id_number"] is not None:
                c["id_number_missing_reason"] = c["id_number_missing_note"] = ""
            elif not c["id_number_missing_reason"]:
                # An empty cell keeps the reason on record, as it keeps the number.
                c["id_number_missing_reason"], c["id_number_missing_note"] = old[15], old[16]
            same = (old[5] == c["id_number"] and old[6] == c["full_name"] and old[7] == c["date_of_birth"]
                    and old[8] == c["gender"] and old[9] == c["ethnicity"] and old[10] == c["birth_province_id"]
                    and old[11] == c["grade"] and old[12] == c["class_name"]
                    and (old[15], old[16]) == (c["id_number_missing_reason"], c["id_number_missing_note"]))
            if same:
                out.append((rownum, c, UNCHANGED, []))
            else:
                context.previous[rownum] = dict(zip(STORED_FIELDS, old[5:13], strict=True))
                out.append((rownum, c, CHANGED, []))
        return out

    def likely_duplicates(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> dict[int, dict]:
        """New pupils who may be on file already (issue 16: one person, one record), at any school, the
        uploading one included (a new code typed for a pupil it already has): the national scan's block (same
        gender, birth date as typed or day/month swapped, given name without diacritics) and a similar name.
        One query per DUPLICATE_BATCH rows. Name, birth date and school only (students.duplicates.LikelyDuplicate)."""
        found = {}
        for start in range(0, len(rows), DUPLICATE_BATCH):
            chunk = rows[start:start + DUPLICATE_BATCH]
            matches = students_likely_duplicates_many(
                [(c["full_name"], c["date_of_birth"], c["gender"], c.get("id_number")) for _, c in chunk])
            for index, likely in matches.items():
                rownum, c = chunk[index]
                found[rownum] = {"name": c["full_name"], "matches": [
                    {"full_name": d.full_name, "date_of_birth": d.date_of_birth.isoformat(),
                     "school_name": d.school_name} for d in likely[:DUPLICATES_PER_ROW]]}
        return found


PUPILS = PupilImporter()


def validate_row(row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
    """A pupil row (with enrollment): the rules the upload and the API share."""
    return PUPILS.validate_row(row, context=context)
