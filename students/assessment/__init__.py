"""Subjects of the 2018 programme and learning ratings by Thông tư 22/2021 (THCS, THPT) and
Thông tư 27/2020 (tiểu học), chosen by the pupil's grade. Pure Python: no database access, so
uploads, services, the API, the dashboards and the demo seed apply one rule."""
from .rating import (
    AssessmentError,
    Derivation,
    check,
    conduct_ratings_for,
    derive,
    is_primary,
    learning_ratings_for,
    result_assess,
    subjects_canonical,
    year_check,
    year_subjects,
)
from .secondary import year_average
from .subjects import Subject, subject_lookup, subjects_for

__all__ = ["AssessmentError", "Derivation", "Subject", "check", "conduct_ratings_for", "derive", "is_primary",
           "learning_ratings_for", "result_assess", "subject_lookup", "subjects_canonical", "subjects_for", "year_average",
           "year_check", "year_subjects"]
