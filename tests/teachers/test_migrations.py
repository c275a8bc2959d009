"""Data migrations on staff rows."""
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from teachers.models import StaffMember
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_stored_spellings_of_an_ethnic_group_become_its_official_name(school_a):
    staff = make_staff(school_a)
    StaffMember.objects.filter(pk=staff.pk).update(ethnicity="Bana")
    migration = importlib.import_module("teachers.migrations.0004_ethnicity_official_names")
    migration.to_official_names(None, SimpleNamespace(connection=connection))
    assert StaffMember.objects.get(pk=staff.pk).ethnicity == "Ba-na"
