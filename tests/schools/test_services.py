import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from schools.models import School
from schools.services import school_create, school_mark_synchronized, school_update
from tests.factories import commune_of

pytestmark = pytest.mark.django_db


def _data(**kw):
    data = dict(code="79000999", name="Trường THCS  Thử", level="lower_secondary", ownership="public",
                province_id="79", commune_id=commune_of("79"))
    data.update(kw)
    return data


def test_create_validates_commune_belongs_to_province():
    with pytest.raises(AppError) as err:
        school_create(scope=Scope.country(), **_data(commune_id=commune_of("01")))  # a Hà Nội ward
    assert "commune" in err.value.details
    assert not School.objects.exists()


def test_unknown_commune_and_duplicate_code_are_refused():
    with pytest.raises(AppError):
        school_create(scope=Scope.country(), **_data(commune_id="99999"))
    school_create(scope=Scope.country(), **_data())
    with pytest.raises(AppError):
        school_create(scope=Scope.country(), **_data())
    assert School.objects.get().name == "Trường THCS Thử"


def test_province_user_cannot_create_or_move_schools_outside(province_user):
    scope = Scope.for_user(province_user)
    with pytest.raises(NotInScope):
        school_create(scope=scope, **_data())
    school = school_create(scope=scope, **_data(code="01000999", province_id="01", commune_id=commune_of("01")))
    with pytest.raises(NotInScope):
        school_update(scope=scope, school=school, province_id="79", commune_id=commune_of("79"))


def test_merged_school_must_name_the_receiving_school(school_a, school_b):
    with pytest.raises(AppError):
        school_update(scope=Scope.country(), school=school_a, status="merged")
    school_update(scope=Scope.country(), school=school_a, status="merged", merged_into_id=school_b.pk)


def test_connected_means_synchronized_within_30_days(school_a):
    assert not school_a.is_connected
    school_mark_synchronized(school_id=school_a.pk, at=timezone.now() - dt.timedelta(days=29))
    school_a.refresh_from_db()
    assert school_a.is_connected
    school_mark_synchronized(school_id=school_a.pk, at=timezone.now() - dt.timedelta(days=31))
    school_a.refresh_from_db()
    assert not school_a.is_connected
