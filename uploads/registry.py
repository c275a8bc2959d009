"""Which importer handles which kind of upload, and who may upload it."""
from __future__ import annotations

from schools.importers import IMPORTERS as SCHOOL_IMPORTERS
from students.importers import IMPORTERS as STUDENT_IMPORTERS
from teachers.importers import IMPORTERS as STAFF_IMPORTERS
from uploads.schema import RecordImporter

IMPORTERS: dict[str, RecordImporter] = {**STUDENT_IMPORTERS, **STAFF_IMPORTERS, **SCHOOL_IMPORTERS}


def importer_for(kind: str) -> RecordImporter:
    return IMPORTERS[kind]


def kinds_for(scope) -> list[str]:
    """School administrators upload their school's records; province and ministry users may
    also upload schools (and a school's records on its behalf)."""
    kinds = ["pupils", "results", "physical", "staff"]
    return kinds if scope.kind == "school" else kinds + ["schools"]
