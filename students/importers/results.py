"""Academic results (Thông tư 22/2021 for THCS/THPT, Thông tư 27/2020 for tiểu học)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from django.db import connection

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
from edu_portal.common.models import current_school_year
from schools.models import SchoolLevel

from ..models import (
    PRIMARY_CONDUCT,
    PRIMARY_LEARNING,
    SECONDARY_CONDUCT,
    SECONDARY_LEARNING,
    ConductRating,
    LearningRating,
    Term,
)
from ..writers import write_results
from .shared import pupil_here, row_state

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
        return [pupil_here(rownum, c, pupils, context) or
                (rownum, c, row_state(results.get(self.key(c)),
                                   (c["learning_rating"], c["conduct_rating"], c["subject_scores"])), [])
                for rownum, c in rows]

    def stage_row(self, cleaned: dict) -> list:
        return [cleaned["pupil_code"], cleaned["school_year"], cleaned["term"], cleaned["learning_rating"],
                cleaned["conduct_rating"], json.dumps(cleaned["subject_scores"], ensure_ascii=False, sort_keys=True)]


def _choices(members) -> tuple:
    return tuple(sorted(((m.value, m.label) for m in members), key=lambda c: c[0]))


RESULTS = ResultImporter()
