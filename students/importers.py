"""Row schema and validation for uploads (and API writes) of pupils, results and measurements.

One definition of the rules, shared by the file upload (uploads/) and the REST API:

    from students.importers import PUPILS, validate_row
    from edu_portal.common.importing import ImportContext
    ctx = ImportContext(scope=scope, school=school, school_year=current_school_year())
    cleaned, errors = validate_row({"pupil_code": "HS1", "full_name": "...", ...}, context=ctx)
    # errors: [RowError(column, value, reason)]; RowError.message(header) is the Vietnamese text.
    [(rownum, cleaned, state, errors)] = PUPILS.resolve([(0, cleaned)], context=ctx)
    # state: "new" | "changed" | "unchanged"; errors from the database checks (pupil at another
    # school: a transfer is needed; ID number owned by another pupil).

`validate_row` never touches the database; `resolve` checks a batch in two queries.
Importers here: PUPILS (pupil + enrollment for the school year), RESULTS, PHYSICAL.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

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
    is_blank,
    other_school_phrase,
    parse_choice,
    parse_code,
    parse_date,
    parse_decimal,
    parse_int,
    parse_name,
    parse_school_year,
    parse_text,
)
from edu_portal.common.models import Gender, current_school_year
from geo.selectors import province_codes
from schools.models import SchoolLevel

from .models import (
    PRIMARY_CONDUCT,
    PRIMARY_LEARNING,
    SECONDARY_CONDUCT,
    SECONDARY_LEARNING,
    ConductRating,
    LearningRating,
    Term,
)
from .nutrition import age_in_years, bmi_of, nutrition_classify
from .writers import write_physical, write_pupils, write_results

# Grades each level teaches (Luật Giáo dục 2019, Điều 28: tiểu học lớp 1-5, THCS 6-9, THPT 10-12).
GRADES = {SchoolLevel.PRESCHOOL: (0, 0), SchoolLevel.PRIMARY: (1, 5), SchoolLevel.LOWER_SECONDARY: (6, 9),
          SchoolLevel.UPPER_SECONDARY: (10, 12), SchoolLevel.MULTI_LEVEL: (0, 12), SchoolLevel.CONTINUING: (6, 12)}
GENDERS = tuple(Gender.choices) + (("M", "Nam"), ("F", "Nữ"))


_formula_errors = formula_errors


class PupilImporter(RecordImporter):
    kind = "pupils"
    verification_kind = "student"
    writer = staticmethod(write_pupils)
    label = "Học sinh (kèm ghi danh năm học)"
    columns = (
        Column("pupil_code", "Mã học sinh", help="Mã định danh học sinh do Bộ GD&ĐT cấp", example="HS0000000001"),
        Column("id_number", "Số định danh cá nhân", required=False,
               help="12 chữ số; định dạng ô là Văn bản để Excel không bỏ số 0 ở đầu", example="001215001234"),
        Column("full_name", "Họ và tên", example="Nguyễn Thị An"),
        Column("date_of_birth", "Ngày sinh", help="dd/mm/yyyy", example="15/03/2015"),
        Column("gender", "Giới tính", choices=(("M", "Nam"), ("F", "Nữ")), example="Nữ"),
        Column("ethnicity", "Dân tộc", required=False, help="Để trống nếu là Kinh", example="Kinh"),
        Column("birth_province", "Nơi sinh (mã tỉnh)", required=False,
               help="Mã tỉnh/thành phố 2 chữ số (sau sáp nhập 2025)", example="01"),
        Column("grade", "Khối", help="0 (mầm non) đến 12", example="3"),
        Column("class_name", "Lớp", example="3A"),
    )
    key_fields = ("pupil_code",)
    unique_fields = ("id_number",)
    stage_columns = (("pupil_code", "varchar(20)"), ("id_number", "varchar(12)"), ("full_name", "varchar(100)"),
                     ("date_of_birth", "date"), ("gender", "varchar(1)"), ("ethnicity", "varchar(40)"),
                     ("birth_province_id", "varchar(2)"), ("grade", "smallint"), ("class_name", "varchar(20)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = _formula_errors(row)
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
        dob, why = parse_date(get("date_of_birth"), earliest=dt.date(today.year - 30, 1, 1), latest=today)
        if why:
            errors.append(RowError("date_of_birth", as_text(get("date_of_birth")), why))
        gender, why = parse_choice(get("gender"), GENDERS)
        if why:
            errors.append(RowError("gender", as_text(get("gender")), why))
        id_number, why = id_number_cell(get("id_number"), date_of_birth=dob, gender=gender, context=context)
        if why:
            errors.append(RowError("id_number", id_number_shown(get("id_number"), context), why))
        ethnicity, why = parse_text(get("ethnicity"), max_length=40, required=False)
        if why:
            errors.append(RowError("ethnicity", as_text(get("ethnicity")), why))
        province = None
        raw_province = get("birth_province")
        if not is_blank(raw_province):
            province = as_text(raw_province).strip().zfill(2)
            if province not in context.reference("province_codes", province_codes):
                errors.append(RowError("birth_province", as_text(raw_province),
                                       "không phải là mã tỉnh/thành phố hợp lệ (2 chữ số, xem trang Mã hợp lệ)"))
        low, high = GRADES.get(getattr(context.school, "level", None), (0, 12))
        grade, why = parse_int(get("grade"), low=low, high=high)
        if why:
            errors.append(RowError("grade", as_text(get("grade")),
                                   why + (" với cấp học của trường" if "phải từ" in why else "")))
        class_name, why = parse_text(get("class_name"), max_length=20)
        if why:
            errors.append(RowError("class_name", as_text(get("class_name")), why))
        if errors:
            return None, errors
        return {"pupil_code": code, "id_number": id_number, "full_name": name, "date_of_birth": dob,
                "gender": gender, "ethnicity": ethnicity or "Kinh", "birth_province_id": province,
                "grade": grade, "class_name": class_name}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = [c["pupil_code"] for _, c in rows]
        id_numbers = [c["id_number"] for _, c in rows if c["id_number"]]
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT s.pupil_code, s.school_id, sc.province_id, sc.name, sc.code, s.id_number, s.full_name,
                          s.date_of_birth, s.gender, s.ethnicity, s.birth_province_id, e.grade, e.class_name
                   FROM students_student s JOIN schools_school sc ON sc.id = s.school_id
                   LEFT JOIN students_enrollment e ON e.student_id = s.id AND e.school_year = %s
                   WHERE s.pupil_code = ANY(%s)""", [context.school_year, codes])
            existing = {r[0]: r for r in cursor.fetchall()}
            owners = {}
            if id_numbers:
                cursor.execute("""SELECT s.id_number, s.pupil_code, s.school_id, sc.province_id
                                  FROM students_student s JOIN schools_school sc ON sc.id = s.school_id
                                  WHERE s.id_number = ANY(%s) AND s.id_number_hold = 0""", [id_numbers])
                owners = {r[0]: r[1:] for r in cursor.fetchall()}
        school_id = context.school.pk
        out = []
        for rownum, c in rows:
            errors = []
            old = existing.get(c["pupil_code"])
            owner = owners.get(c["id_number"]) if c["id_number"] else None
            # Told only to who could see the owner's number anyway; otherwise the claim is held at
            # commit and this answer is the one an unclaimed number gets (accounts/scope.py).
            if owner is not None and owner[0] != c["pupil_code"] and \
                    context.scope.may_learn_owner(school_id=owner[1], province_id=owner[2]):
                errors.append(RowError("id_number", c["id_number"],
                                       f"đã thuộc học sinh mã {owner[0]}; kiểm tra lại mã học sinh hoặc số định danh"))
            if old is None:
                out.append((rownum, c, NEW, errors))
                continue
            if old[1] != school_id:
                where = other_school_phrase(scope=context.scope, school_id=old[1], province_id=old[2],
                                            name=old[3], code=old[4])
                errors.append(RowError("pupil_code", c["pupil_code"],
                                       f"là học sinh đang học tại {where}: cần làm thủ tục chuyển trường "
                                       "trước khi tải lên"))
            elif old[5] and c["id_number"] and old[5] != c["id_number"]:
                errors.append(RowError("id_number", c["id_number"],
                                       "khác với số định danh đã có của học sinh này; hãy kiểm tra lại "
                                       "(sửa số định danh trên trang của học sinh nếu cần)"))
            if errors:
                out.append((rownum, c, None, errors))
                continue
            if c["id_number"] is None:
                c["id_number"] = old[5]  # an empty cell keeps the number already on record
            same = (old[5] == c["id_number"] and old[6] == c["full_name"] and old[7] == c["date_of_birth"]
                    and old[8] == c["gender"] and old[9] == c["ethnicity"] and old[10] == c["birth_province_id"]
                    and old[11] == c["grade"] and old[12] == c["class_name"])
            out.append((rownum, c, UNCHANGED if same else CHANGED, []))
        return out


# --- academic results (Thông tư 22/2021 for THCS/THPT, Thông tư 27/2020 for tiểu học) ---------

TERMS = tuple(Term.choices) + ((0, "CN"), (1, "HK1"), (2, "HK2"), (1, "Học kỳ 1"), (2, "Học kỳ 2"))
_SCORE_ITEM = re.compile(r"\s*([^:;]+?)\s*:\s*([^;]+?)\s*(?:;|$)")
SUBJECT_RATINGS = {"đạt": "Đạt", "chưa đạt": "Chưa đạt", "hoàn thành tốt": "Hoàn thành tốt",
                   "hoàn thành": "Hoàn thành", "chưa hoàn thành": "Chưa hoàn thành"}


def parse_subject_scores(value):
    """'Toán: 8,5; Ngữ văn: 7; Giáo dục thể chất: Đạt' -> {"Toán": 8.5, ...}: a score from 0 to
    10 (one decimal) or a rating for subjects assessed by comment."""
    if is_blank(value):
        return {}, None
    text = as_text(value).strip()
    scores = {}
    pos = 0
    for m in _SCORE_ITEM.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        subject, raw = parse_text(m.group(1), max_length=60)[0], m.group(2)
        rating = SUBJECT_RATINGS.get(raw.strip().casefold())
        if rating:
            scores[subject] = rating
            continue
        score, why = parse_decimal(raw, low=Decimal(0), high=Decimal(10))
        if why:
            return None, f"có điểm môn '{subject}' {why} (dạng 'Toán: 8,5; Ngữ văn: 7')"
        scores[subject] = float(score)
    if pos != len(text) or not scores:
        return None, "không đúng dạng 'Môn: điểm; Môn: điểm' (ví dụ 'Toán: 8,5; Ngữ văn: 7')"
    return scores, None


class ResultImporter(RecordImporter):
    kind = "results"
    writer = staticmethod(write_results)
    label = "Kết quả học tập"
    columns = (
        Column("pupil_code", "Mã học sinh", example="HS0000000001"),
        Column("school_year", "Năm học", required=False, help="Dạng 2025-2026; để trống là năm học hiện tại",
               example="2025-2026"),
        Column("term", "Học kỳ", choices=tuple(Term.choices), example="Cả năm"),
        Column("learning_rating", "Kết quả học tập", choices=tuple(LearningRating.choices),
               help="Tiểu học: Hoàn thành tốt/Hoàn thành/Chưa hoàn thành; THCS, THPT: Tốt/Khá/Đạt/Chưa đạt",
               example="Tốt"),
        Column("conduct_rating", "Kết quả rèn luyện", choices=tuple(ConductRating.choices),
               help="Tiểu học: Tốt/Đạt/Cần cố gắng; THCS, THPT: Tốt/Khá/Đạt/Chưa đạt", example="Tốt"),
        Column("subject_scores", "Điểm các môn", required=False,
               help="Dạng 'Toán: 8,5; Ngữ văn: 7; Giáo dục thể chất: Đạt'", example="Toán: 8,5; Ngữ văn: 7"),
    )
    key_fields = ("pupil_code", "school_year", "term")
    stage_columns = (("pupil_code", "varchar(20)"), ("school_year", "smallint"), ("term", "smallint"),
                     ("learning_rating", "varchar(20)"), ("conduct_rating", "varchar(20)"),
                     ("subject_scores_json", "jsonb"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = _formula_errors(row)
        if errors:
            return None, errors
        get = row.get
        code, why = parse_code(get("pupil_code"))
        if why:
            errors.append(RowError("pupil_code", as_text(get("pupil_code")), why))
        year, why = parse_school_year(get("school_year"), current=context.school_year or current_school_year())
        if why:
            errors.append(RowError("school_year", as_text(get("school_year")), why))
        term, why = parse_choice(get("term"), TERMS)
        if why:
            errors.append(RowError("term", as_text(get("term")), why))
        primary = getattr(context.school, "level", None) in (SchoolLevel.PRIMARY, SchoolLevel.PRESCHOOL)
        allowed_learning = PRIMARY_LEARNING if primary else SECONDARY_LEARNING
        allowed_conduct = PRIMARY_CONDUCT if primary else SECONDARY_CONDUCT
        learning, why = parse_choice(get("learning_rating"), _choices(allowed_learning))
        if why:
            errors.append(RowError("learning_rating", as_text(get("learning_rating")), why))
        conduct, why = parse_choice(get("conduct_rating"), _choices(allowed_conduct))
        if why:
            errors.append(RowError("conduct_rating", as_text(get("conduct_rating")), why))
        scores, why = parse_subject_scores(get("subject_scores"))
        if why:
            errors.append(RowError("subject_scores", as_text(get("subject_scores")), why))
        if errors:
            return None, errors
        return {"pupil_code": code, "school_year": year, "term": int(term), "learning_rating": str(learning),
                "conduct_rating": str(conduct), "subject_scores": scores}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = list({c["pupil_code"] for _, c in rows})
        years = list({c["school_year"] for _, c in rows})
        with connection.cursor() as cursor:
            cursor.execute("SELECT pupil_code, id, school_id FROM students_student WHERE pupil_code = ANY(%s)",
                           [codes])
            pupils = {r[0]: r for r in cursor.fetchall()}
            cursor.execute(
                """SELECT s.pupil_code, r.school_year, r.term, r.learning_rating, r.conduct_rating, r.subject_scores
                   FROM students_academicresult r JOIN students_student s ON s.id = r.student_id
                   WHERE s.pupil_code = ANY(%s) AND r.school_year = ANY(%s)""", [codes, years])
            # Django's connection hands jsonb over as text.
            results = {(r[0], r[1], r[2]): (r[3], r[4], json.loads(r[5]) if isinstance(r[5], str) else r[5])
                       for r in cursor.fetchall()}
        return [_pupil_here(rownum, c, pupils, context) or
                (rownum, c, _state(results.get(self.key(c)),
                                   (c["learning_rating"], c["conduct_rating"], c["subject_scores"])), [])
                for rownum, c in rows]

    def stage_row(self, cleaned: dict) -> list:
        return [cleaned["pupil_code"], cleaned["school_year"], cleaned["term"], cleaned["learning_rating"],
                cleaned["conduct_rating"], json.dumps(cleaned["subject_scores"], ensure_ascii=False, sort_keys=True)]


def _choices(members) -> tuple:
    return tuple(sorted(((m.value, m.label) for m in members), key=lambda c: c[0]))


def _pupil_here(rownum, c, pupils, context):
    """Results and measurements are recorded only for pupils of the uploading school."""
    pupil = pupils.get(c["pupil_code"])
    if pupil is None:
        return rownum, c, None, [RowError("pupil_code", c["pupil_code"],
                                          "không có trong danh sách học sinh; hãy tải lên danh sách học sinh trước")]
    if pupil[2] != context.school.pk:
        return rownum, c, None, [RowError("pupil_code", c["pupil_code"], "không phải là học sinh của trường này")]
    return None


def _state(old, new) -> str:
    if old is None:
        return NEW
    return UNCHANGED if tuple(old) == tuple(new) else CHANGED


# --- physical measurements: BMI and the WHO nutrition category are derived, never typed --------

class PhysicalImporter(RecordImporter):
    kind = "physical"
    writer = staticmethod(write_physical)
    label = "Thể lực (chiều cao, cân nặng)"
    columns = (
        Column("pupil_code", "Mã học sinh", example="HS0000000001"),
        Column("measured_on", "Ngày đo", help="dd/mm/yyyy", example="15/09/2025"),
        Column("height_cm", "Chiều cao (cm)", help="40 đến 230", example="128,5"),
        Column("weight_kg", "Cân nặng (kg)", help="2 đến 200", example="26,0"),
    )
    key_fields = ("pupil_code", "measured_on")
    stage_columns = (("pupil_code", "varchar(20)"), ("measured_on", "date"), ("school_year", "smallint"),
                     ("height_cm", "numeric(5,1)"), ("weight_kg", "numeric(5,1)"), ("bmi", "numeric(4,1)"),
                     ("bmi_z_score", "numeric(4,2)"), ("nutrition_status", "varchar(12)"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        errors = _formula_errors(row)
        if errors:
            return None, errors
        get = row.get
        code, why = parse_code(get("pupil_code"))
        if why:
            errors.append(RowError("pupil_code", as_text(get("pupil_code")), why))
        measured_on, why = parse_date(get("measured_on"), earliest=dt.date(context.today.year - 20, 1, 1),
                                      latest=context.today)
        if why:
            errors.append(RowError("measured_on", as_text(get("measured_on")), why))
        height, why = parse_decimal(get("height_cm"), low=Decimal(40), high=Decimal(230))
        if why:
            errors.append(RowError("height_cm", as_text(get("height_cm")), why))
        weight, why = parse_decimal(get("weight_kg"), low=Decimal(2), high=Decimal(200))
        if why:
            errors.append(RowError("weight_kg", as_text(get("weight_kg")), why))
        if errors:
            return None, errors
        return {"pupil_code": code, "measured_on": measured_on, "height_cm": height, "weight_kg": weight,
                "school_year": current_school_year(measured_on), "bmi": bmi_of(height, weight)}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = list({c["pupil_code"] for _, c in rows})
        with connection.cursor() as cursor:
            cursor.execute("""SELECT pupil_code, id, school_id, date_of_birth, gender FROM students_student
                              WHERE pupil_code = ANY(%s)""", [codes])
            pupils = {r[0]: r for r in cursor.fetchall()}
            cursor.execute(
                """SELECT s.pupil_code, p.measured_on, p.height_cm, p.weight_kg FROM students_physicalrecord p
                   JOIN students_student s ON s.id = p.student_id WHERE s.pupil_code = ANY(%s)""", [codes])
            records = {(r[0], r[1]): r[2:] for r in cursor.fetchall()}
        out = []
        for rownum, c in rows:
            refused = _pupil_here(rownum, c, pupils, context)
            if refused:
                out.append(refused)
                continue
            dob, gender = pupils[c["pupil_code"]][3:5]
            if c["measured_on"] < dob:
                out.append((rownum, c, None, [RowError("measured_on", as_text(c["measured_on"]),
                                                       "trước ngày sinh của học sinh")]))
                continue
            z, status = nutrition_classify(bmi=float(c["bmi"]), age_years=age_in_years(dob, c["measured_on"]),
                                           gender=gender)
            c["bmi_z_score"] = None if z is None else Decimal(str(z))
            c["nutrition_status"] = str(status)
            out.append((rownum, c, _state(records.get(self.key(c)), (c["height_cm"], c["weight_kg"])), []))
        return out


PUPILS, RESULTS, PHYSICAL = PupilImporter(), ResultImporter(), PhysicalImporter()
IMPORTERS = {i.kind: i for i in (PUPILS, RESULTS, PHYSICAL)}


def validate_row(row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
    """A pupil row (with enrollment): the rules the upload and the API share."""
    return PUPILS.validate_row(row, context=context)
