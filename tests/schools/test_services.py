import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.tombstones import DeletedRecord
from schools.models import School
from schools.services import school_create, school_delete, school_mark_synchronized, school_update
from tests.factories import commune_of, make_student

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


def test_a_school_cannot_change_its_own_master_record(school_user, school_a):
    """Level, status, commune, address: kept by the province or the ministry (the level decides
    which grades the school's pupils may be in)."""
    scope = Scope.for_user(school_user)
    before = School.objects.values().get(pk=school_a.pk)
    for changes in ({"level": "lower_secondary"}, {"status": "closed"}, {"address": "2 Phố Khác"},
                    {"commune_id": commune_of("01")}, {"name": "Trường Mới"}):
        with pytest.raises(AppError) as err:
            school_update(scope=scope, school=school_a, **changes)
        assert (err.value.status_code, err.value.code) == (403, "permission_denied")
    with pytest.raises(AppError) as err:
        school_create(scope=scope, **_data(code="01000998", province_id="01", commune_id=commune_of("01")))
    assert err.value.status_code == 403
    assert School.objects.values().get(pk=school_a.pk) == before
    # The province and the ministry still may.
    school_update(scope=Scope(kind="province", province_code="01"), school=school_a, address="2 Phố Khác")
    school_update(scope=Scope.country(), school=school_a, level="lower_secondary")
    school_a.refresh_from_db()
    assert (school_a.address, school_a.level) == ("2 Phố Khác", "lower_secondary")


def test_delete_leaves_a_tombstone_and_refuses_a_school_with_pupils(school_a, school_b):
    make_student(school_b)
    with pytest.raises(AppError) as refused:
        school_delete(scope=Scope.country(), school=school_b)
    assert refused.value.status_code == 409
    assert School.objects.filter(pk=school_b.pk).exists() and not DeletedRecord.objects.exists()
    with pytest.raises(NotInScope):
        school_delete(scope=Scope("province", province_code="79"), school=school_a)
    with pytest.raises(AppError):  # a school never deletes (nor edits) its own master record
        school_delete(scope=Scope("school", province_code="01", school_id=school_a.pk), school=school_a)
    pk = school_a.pk
    school_delete(scope=Scope("province", province_code="01"), school=school_a)
    tombstone = DeletedRecord.objects.get()
    assert (tombstone.kind, tombstone.record_id, tombstone.code, tombstone.province_id) == (
        "school", pk, school_a.code, "01")
    assert not School.objects.filter(pk=pk).exists()
