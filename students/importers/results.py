"""Academic results (Thông tư 22/2021 for THCS/THPT, Thông tư 27/2020 for tiểu học)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from django.db import connection
from django.utils import translation

from edu_portal.common.importing import (
    Column,
    ImportContext,
    RecordImporter,
    RowError,
    as_text,
    formula_errors,
    is_blank,
    parse_choice,
    parse_code,
    parse_decimal,
    parse_school_year,
    parse_text,
)
from edu_portal.common.models import current_school_year, school_year_label

from .. import assessment
from ..models import ConductRating, LearningRating, Term
from ..writers import write_results
from .shared import pupil_here, row_state

TERMS = tuple(Term.choices) + ((0, "CN"), (1, "HK1"), (2, "HK2"), (1, "Học kỳ 1"), (2, "Học kỳ 2"))
_SCORE_ITEM = re.compile(r"\s*([^:;]+?)\s*:\s*([^;]+?)\s*(?:;|$)")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# Subject ratings as schools write them (the scale is checked against the pupil's grade later):
# TT 22/2021 Điều 5 (Đạt/Chưa đạt), TT 27/2020 (Hoàn thành tốt/Hoàn thành/Chưa hoàn thành, HTT/HT/CHT).
SUBJECT_RATINGS = {"đạt": "Đạt", "chưa đạt": "Chưa đạt", "hoàn thành tốt": "Hoàn thành tốt",
                   "hoàn thành": "Hoàn thành", "chưa hoàn thành": "Chưa hoàn thành",
                   "htt": "Hoàn thành tốt", "ht": "Hoàn thành", "cht": "Chưa hoàn thành"}
FORM = "dạng 'Toán: 8,5; Giáo dục thể chất: Đạt' (THCS, THPT) hoặc 'Toán: Hoàn thành tốt, 9; Đạo đức: HTT' (tiểu học)"
# A year row may be computed from the two terms given earlier in the same file: their subject
# results are remembered per upload, up to this many rows (beyond, the rows on file still serve).
_TERMS_REMEMBERED = 100_000


def parse_subject_scores(value):
    """'Toán: 8,5; Ngữ văn: 7; Giáo dục thể chất: Đạt' -> {"Toán": 8.5, ..., "Giáo dục thể chất": "Đạt"};
    primary 'Toán: Hoàn thành tốt, 9; Đạo đức: HTT' -> {"Toán": {"rating": "Hoàn thành tốt", "test": 9},
    "Đạo đức": "Hoàn thành tốt"}. Names are as written: students.assessment canonicalises them once
    the pupil's grade is known."""
    if is_blank(value):
        return {}, None
    text = as_text(value).strip()
    scores = {}
    pos = 0
    for m in _SCORE_ITEM.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        subject, raw = parse_text(m.group(1), max_length=60)[0], m.group(2).strip()
        if not subject:
            break
        if _NUMBER.fullmatch(raw):
            score, why = parse_decimal(raw, low=Decimal(0), high=Decimal(10))
            if why:
                return None, f"có điểm môn '{subject}' {why} ({FORM})"
            scores[subject] = float(score)
            continue
        rating_text, _, test_text = raw.rpartition(",") if _NUMBER.fullmatch(raw.rpartition(",")[2].strip()) \
            else (raw, "", "")
        rating = SUBJECT_RATINGS.get(" ".join(rating_text.split()).casefold())
        if rating is None:
            return None, f"có mức đánh giá môn '{subject}' không hợp lệ: '{raw}' ({FORM})"
        if test_text:
            test, why = parse_decimal(test_text.strip(), low=Decimal(1), high=Decimal(10), places=2)
            if not why and test != test.to_integral_value():
                why = "không phải là số nguyên (TT 27/2020 Điều 7: không cho điểm thập phân)"
            if why:
                return None, f"có điểm kiểm tra định kì môn '{subject}' {why} (số nguyên từ 1 đến 10)"
            scores[subject] = {"rating": rating, "test": int(test)}
        else:
            scores[subject] = rating
    if pos != len(text) or not scores:
        return None, f"không đúng {FORM}"
    return scores, None


class ResultImporter(RecordImporter):
    kind = "results"
    writer = staticmethod(write_results)
    label = "Kết quả học tập"
    columns = (
        Column("pupil_code", "Mã học sinh", example="HS0000000001"),
        Column("school_year", "Năm học", required=False, help="Dạng 2025-2026; để trống là năm học hiện tại",
               example="2025-2026"),
        Column("term", "Học kỳ", choices=tuple(Term.choices), example="Học kỳ I"),
        Column("learning_rating", "Kết quả học tập", required=False, choices=tuple(LearningRating.choices),
               help="Theo khối lớp của học sinh trong năm học: lớp 1-5 (TT 27/2020) Hoàn thành xuất sắc/Hoàn "
                    "thành tốt/Hoàn thành/Chưa hoàn thành; lớp 6-12 (TT 22/2021) Tốt/Khá/Đạt/Chưa đạt. Để trống "
                    "thì được tính từ điểm các môn; nếu ghi, phải khớp với điểm các môn (TT 22/2021 Điều 9, "
                    "TT 27/2020 Điều 10). Bắt buộc khi không có điểm các môn",
               example="Tốt"),
        Column("conduct_rating", "Kết quả rèn luyện", choices=tuple(ConductRating.choices),
               help="Lớp 1-5: Tốt/Đạt/Cần cố gắng (phẩm chất, năng lực); lớp 6-12: Tốt/Khá/Đạt/Chưa đạt",
               example="Tốt"),
        Column("subject_scores", "Điểm các môn", required=False,
               help="Mọi môn bắt buộc của khối lớp (chương trình GDPT 2018), cách nhau bằng dấu chấm phẩy. Lớp 6-12: "
                    "điểm trung bình môn 0-10 hoặc Đạt/Chưa đạt cho môn đánh giá bằng nhận xét (Giáo dục thể chất, "
                    "Nghệ thuật, Âm nhạc, Mĩ thuật, Nội dung giáo dục của địa phương, Hoạt động trải nghiệm, "
                    "hướng nghiệp), ví dụ 'Toán: 8,5; Ngữ văn: 7; Giáo dục thể chất: Đạt'. Lớp 1-5: mức Hoàn thành "
                    "tốt/Hoàn thành/Chưa hoàn thành (HTT/HT/CHT), kèm điểm kiểm tra định kì 1-10 cho Tiếng Việt, "
                    "Toán, Ngoại ngữ 1, Tin học và Công nghệ, Lịch sử và Địa lí, Khoa học, ví dụ 'Toán: Hoàn thành "
                    "tốt, 9; Đạo đức: HTT'. Tên cũ (Vật lý, Toán học, Thể dục, GDCD...) được đổi sang tên chính "
                    "thức. Dòng cả năm lớp 6-12 để trống thì được tính (HK I + 2 × HK II) / 3 từ hai học kỳ",
               example="Ngữ văn: 8; Toán: 8,5; Ngoại ngữ 1: 8; Giáo dục công dân: 9; Lịch sử và Địa lí: 8; "
                       "Khoa học tự nhiên: 8,3; Công nghệ: 7,5; Tin học: 8; Giáo dục thể chất: Đạt; Nghệ thuật: "
                       "Đạt; Hoạt động trải nghiệm, hướng nghiệp: Đạt; Nội dung giáo dục của địa phương: Đạt"),
    )
    key_fields = ("pupil_code", "school_year", "term")
    code_field, code_table = "pupil_code", ("students_student", "pupil_code", "school_id")
    stage_columns = (("pupil_code", "varchar(20)"), ("school_year", "smallint"), ("term", "smallint"),
                     ("learning_rating", "varchar(20)"), ("conduct_rating", "varchar(20)"),
                     ("subject_scores_json", "jsonb"))

    def validate_row(self, row: dict, *, context: ImportContext) -> tuple[dict | None, list[RowError]]:
        """The cells on their own; the scale (primary or secondary) depends on the pupil's grade
        that year and is checked in resolve()."""
        errors = formula_errors(row)
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
        learning, why = parse_choice(get("learning_rating"), tuple(LearningRating.choices), required=False)
        if why:
            errors.append(RowError("learning_rating", as_text(get("learning_rating")), why))
        conduct, why = parse_choice(get("conduct_rating"), tuple(ConductRating.choices))
        if why:
            errors.append(RowError("conduct_rating", as_text(get("conduct_rating")), why))
        scores, why = parse_subject_scores(get("subject_scores"))
        if why:
            errors.append(RowError("subject_scores", as_text(get("subject_scores")), why))
        elif not scores and not learning and term not in (None, 0, "0"):
            errors.append(RowError("learning_rating", "", "không được để trống khi không có điểm các môn"))
        if errors:
            return None, errors
        return {"pupil_code": code, "school_year": year, "term": int(term), "learning_rating": str(learning or ""),
                "conduct_rating": str(conduct), "subject_scores": scores}, []

    def resolve(self, rows: list[tuple[int, dict]], *, context: ImportContext) -> list:
        codes = list({c["pupil_code"] for _, c in rows})
        years = list({c["school_year"] for _, c in rows})
        with connection.cursor() as cursor:
            cursor.execute("SELECT pupil_code, id, school_id FROM students_student WHERE pupil_code = ANY(%s)",
                           [codes])
            pupils = {r[0]: r for r in cursor.fetchall()}
            # The rating scale follows the pupil's grade in the row's school year, not the school's
            # level: a multi-level school has primary and secondary pupils.
            cursor.execute(
                """SELECT s.pupil_code, e.school_year, e.grade FROM students_enrollment e
                   JOIN students_student s ON s.id = e.student_id
                   WHERE s.pupil_code = ANY(%s) AND e.school_year = ANY(%s)
                     AND e.status <> 'transferred_out'""", [codes, years])
            grades = {(r[0], r[1]): r[2] for r in cursor.fetchall()}
            cursor.execute(
                """SELECT s.pupil_code, r.school_year, r.term, r.learning_rating, r.conduct_rating, r.subject_scores
                   FROM students_academicresult r JOIN students_student s ON s.id = r.student_id
                   WHERE s.pupil_code = ANY(%s) AND r.school_year = ANY(%s)""", [codes, years])
            # Django's connection hands jsonb over as text.
            results = {(r[0], r[1], r[2]): (r[3], r[4], json.loads(r[5]) if isinstance(r[5], str) else r[5])
                       for r in cursor.fetchall()}
        remembered = context.reference("results.term_subjects", dict)
        out = {}
        # Terms before year rows, so that a year row finds the terms of the same file.
        for rownum, c in sorted(rows, key=lambda rc: rc[1]["term"] == 0):
            done = pupil_here(rownum, c, pupils, context)
            if done is None:
                errors = self._assess(c, grades.get((c["pupil_code"], c["school_year"])), results, remembered)
                done = (rownum, c, None if errors else
                        row_state(results.get(self.key(c)),
                                  (c["learning_rating"], c["conduct_rating"], c["subject_scores"])), errors)
                if not errors and c["term"] and c["subject_scores"] and len(remembered) < _TERMS_REMEMBERED:
                    remembered[self.key(c)] = c["subject_scores"]
            out[rownum] = done
        return [out[rownum] for rownum, _ in rows]

    def _assess(self, c: dict, grade: int | None, stored: dict, remembered: dict) -> list[RowError]:
        """The row against the rules of its pupil's grade (students.assessment): the subject names'
        official form, the year's averages and the derived rating are filled in."""
        if grade is None:
            return [RowError("pupil_code", c["pupil_code"],
                             f"không có ghi danh năm học {school_year_label(c['school_year'])}; hãy tải lên danh "
                             "sách học sinh của năm học đó trước")]
        first, second = (self._term(c, t, stored, remembered) for t in (1, 2)) if c["term"] == 0 else (None, None)
        try:
            rating, subjects = assessment.result_assess(
                grade=grade, term=c["term"], learning_rating=c["learning_rating"],
                conduct_rating=c["conduct_rating"], subjects=c["subject_scores"], first=first, second=second)
        except assessment.AssessmentError as e:
            column, value = {
                "grade": ("pupil_code", c["pupil_code"]),
                "learning_rating": ("learning_rating", _label(LearningRating(c["learning_rating"]))
                                    if c["learning_rating"] else ""),
                "conduct_rating": ("conduct_rating", _label(ConductRating(c["conduct_rating"]))),
            }.get(e.field, ("subject_scores", _cell(c["subject_scores"])))
            return [RowError(column, value, str(e))]
        c["learning_rating"], c["subject_scores"] = str(rating), subjects
        return []

    @staticmethod
    def _term(c: dict, term: int, stored: dict, remembered: dict) -> dict | None:
        key = (c["pupil_code"], c["school_year"], term)
        if key in remembered:
            return remembered[key]
        row = stored.get(key)
        return row[2] if row and row[2] else None

    def stage_row(self, cleaned: dict) -> list:
        return [cleaned["pupil_code"], cleaned["school_year"], cleaned["term"], cleaned["learning_rating"],
                cleaned["conduct_rating"], json.dumps(cleaned["subject_scores"], ensure_ascii=False, sort_keys=True)]


def _label(member) -> str:
    """The label as the ministry's file writes it, whatever the language of the page."""
    with translation.override("vi"):
        return str(member.label)


def _cell(scores: dict) -> str:
    """Subject results written back as the cell (for the error file and messages)."""
    def one(v):
        if isinstance(v, dict):
            return f"{v['rating']}, {v['test']}"
        return str(v).replace(".", ",") if isinstance(v, float) else str(v)
    return "; ".join(f"{k}: {one(v)}" for k, v in scores.items())


RESULTS = ResultImporter()
