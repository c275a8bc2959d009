"""The three kinds of records, declared once, so that every scope and view check runs for each."""
from dataclasses import dataclass
from typing import Callable

from tests.factories import make_staff, make_student


@dataclass
class RecordKind:
    name: str
    list_url: str
    detail_url: str  # with {pk}
    make_in: Callable  # school -> record


KINDS = [
    RecordKind("schools", "/schools/", "/schools/{pk}/", lambda school: school),
    RecordKind("staff", "/staff/", "/staff/{pk}/", make_staff),
    RecordKind("students", "/students/", "/students/{pk}/", make_student),
]
