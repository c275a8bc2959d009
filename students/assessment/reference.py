"""A grade's subjects and rating scales as reference data, for the people and software that send
results: the API's /api/v1/subjects/ and the results upload template show this, so that what they
list is exactly what the upload and the API's checks accept (students.assessment). Pure Python.
"""
from __future__ import annotations

from django.utils import translation

from students.models import ConductRating, LearningRating

from . import primary
from .rating import conduct_ratings_for, is_primary, learning_ratings_for
from .subjects import ALIASES, COMMENTED, PRIMARY_GRADES, SCORED, SECONDARY_GRADES, name_key, subjects_for

GRADES = range(PRIMARY_GRADES.start, SECONDARY_GRADES.stop)  # 1-12: preschool has no subjects
CIRCULARS = {"primary": "Thông tư 27/2020/TT-BGDĐT", "secondary": "Thông tư 22/2021/TT-BGDĐT"}
# How one subject's result is written, by level (TT 27/2020 Điều 6-7; TT 22/2021 Điều 5).
SUBJECT_RATINGS = {"primary": list(primary.SUBJECT_RATINGS), "secondary": ["Đạt", "Chưa đạt"]}
FILE_LANGUAGE = "vi"  # labels as the circulars and the upload files write them, whatever the reader's language


def subject_aliases(code: str, name: str) -> list[str]:
    """The other spellings of a subject that uploads accept and rename (never its own name)."""
    return [alias for alias, target in ALIASES.items() if target == code and name_key(alias) != name_key(name)]


def _choices(members, enum) -> list[dict]:
    with translation.override(FILE_LANGUAGE):
        return [{"code": m.value, "label": str(m.label)} for m in enum if m in members]


def grade_reference(grade: int) -> dict:
    """The subjects of a grade (1-12) and the scale its results are rated on. Raises
    AssessmentError (field "grade") for a grade without subjects."""
    level = "primary" if is_primary(grade) else "secondary"
    subjects = [{"code": s.code, "name": s.name, "assessment": s.assessment, "compulsory": s.compulsory,
                 "periodic_test": s.has_periodic_test(grade),
                 "grades": list(range(s.first_grade, s.last_grade + 1)),
                 "aliases": subject_aliases(s.code, s.name)}
                for s in subjects_for(grade)]
    return {"grade": grade, "scale": level, "circular": CIRCULARS[level],
            "learning_ratings": _choices(learning_ratings_for(grade), LearningRating),
            "conduct_ratings": _choices(conduct_ratings_for(grade), ConductRating),
            "subject_ratings": SUBJECT_RATINGS[level], "subjects": subjects}


__all__ = ["CIRCULARS", "COMMENTED", "GRADES", "SCORED", "grade_reference", "subject_aliases"]
