"""Data migrations on pupils' rows."""
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from students.models import Student
from tests.factories import make_student

pytestmark = pytest.mark.django_db


def test_stored_spellings_of_an_ethnic_group_become_its_official_name(school_a):
    pupils = [make_student(school_a) for _ in range(4)]
    for pupil, stored in zip(pupils, ("Khmer", "H'Mông", "Ê Đê", "Không rõ"), strict=True):
        Student.objects.filter(pk=pupil.pk).update(ethnicity=stored)
    migration = importlib.import_module("students.migrations.0004_ethnicity_official_names")
    migration.to_official_names(None, SimpleNamespace(connection=connection))
    assert [Student.objects.get(pk=p.pk).ethnicity for p in pupils] == ["Khơ-me", "HMông", "Ê-đê", "Không rõ"]
