"""Django admin of pupils: the right to see full ID numbers holds there too, and is audited."""
import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from audit.models import Action, AuditEvent
from edu_portal.common.identity import mask_id_number
from students.models import Student
from tests.deleted_feed import deleted_ids
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db
URL = "/admin/students/student/"


def _staff(*, may_view: bool):
    user = UserFactory(role="ministry", is_staff=True, may_view_id_numbers=may_view)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="students",
                                                         codename__in=["view_student", "change_student"]))
    return user


@pytest.fixture
def pupil(school_a):
    return make_student(school_a)


def test_a_staff_user_without_the_right_sees_no_full_number(client, pupil):
    client.force_login(_staff(may_view=False))
    changelist = client.get(URL)
    assert changelist.status_code == 200 and pupil.pupil_code in changelist.content.decode()
    assert pupil.id_number not in changelist.content.decode()
    change = client.get(f"{URL}{pupil.pk}/change/")
    page = change.content.decode()
    assert change.status_code == 200 and pupil.id_number not in page
    assert mask_id_number(pupil.id_number) in page
    assert not AuditEvent.objects.filter(action=Action.VIEW_ID).exists()


def test_a_staff_user_without_the_right_cannot_search_by_number_nor_overwrite_it(client, pupil):
    client.force_login(_staff(may_view=False))
    found = client.get(URL, {"q": pupil.id_number}).content.decode()
    assert pupil.pupil_code not in found  # no confirmation that the number belongs to someone
    # The form has no ID number field: a posted one is ignored.
    form = {"pupil_code": pupil.pupil_code, "full_name": pupil.full_name, "id_number": "001315999999",
            "date_of_birth": pupil.date_of_birth.isoformat(), "gender": pupil.gender, "ethnicity": pupil.ethnicity,
            "school": pupil.school_id, "verification_status": pupil.verification_status,
            "verification_attempts": 0, "updated_at_0": "2026-01-01", "updated_at_1": "08:00:00",
            "enrollments-TOTAL_FORMS": 0, "enrollments-INITIAL_FORMS": 0}
    response = client.post(f"{URL}{pupil.pk}/change/", form | {"full_name": "Nguyễn Thị Đổi"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Student.objects.get(pk=pupil.pk)
    assert (saved.full_name, saved.id_number) == ("Nguyễn Thị Đổi", pupil.id_number)


def test_a_staff_user_with_the_right_sees_and_searches_exactly_and_is_audited(client, pupil):
    user = _staff(may_view=True)
    client.force_login(user)
    assert pupil.id_number in client.get(f"{URL}{pupil.pk}/change/").content.decode()
    event = AuditEvent.objects.get(action=Action.VIEW_ID)
    assert (event.actor_id, event.model, event.record_id, event.door) == (user.pk, "students.student", pupil.pk,
                                                                          "web")
    assert pupil.pupil_code in client.get(URL, {"q": pupil.id_number}).content.decode()
    assert pupil.pupil_code not in client.get(URL, {"q": pupil.id_number[:9]}).content.decode()  # exact only


# --- Deletes: through the service, so the API's deleted feed tells syncing clients ------------

def _since() -> str:
    return (timezone.now() - dt.timedelta(seconds=1)).isoformat()


def test_an_admin_delete_of_a_pupil_reaches_the_api_deleted_feed(client, school_a):
    pupil, other = make_student(school_a), make_student(school_a)
    since = _since()
    client.force_login(UserFactory(role="ministry", is_staff=True, is_superuser=True))
    response = client.post(f"{URL}{pupil.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Student.objects.filter(pk=pupil.pk).exists()
    assert deleted_ids("students", since=since) == {pupil.pk}
    assert Student.objects.filter(pk=other.pk).exists()


def test_an_admin_bulk_delete_of_pupils_reaches_the_api_deleted_feed(client, school_a, school_b):
    chosen, kept = [make_student(school_a), make_student(school_b)], make_student(school_a)
    since = _since()
    client.force_login(UserFactory(role="ministry", is_staff=True, is_superuser=True))
    response = client.post(URL, {"action": "delete_selected", "post": "yes",
                                 "_selected_action": [p.pk for p in chosen]})
    assert response.status_code == 302
    assert deleted_ids("students", since=since) == {p.pk for p in chosen}
    assert list(Student.objects.values_list("pk", flat=True)) == [kept.pk]


def test_an_admin_cannot_delete_a_pupil_outside_their_scope(client, school_a, school_other_province):
    mine, theirs = make_student(school_a), make_student(school_other_province)
    since = _since()
    user = UserFactory(role="province", province_id="01", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="students",
                                                         codename__in=["view_student", "delete_student"]))
    client.force_login(user)
    response = client.post(URL, {"action": "delete_selected", "post": "yes",
                                 "_selected_action": [mine.pk, theirs.pk]})
    assert response.status_code == 404  # as everywhere: a record out of scope is not found
    # All or nothing: the pupil in scope is kept too, and no client hears of a deletion.
    assert Student.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    assert deleted_ids("students", since=since) == set()
    assert client.post(f"{URL}{mine.pk}/delete/", {"post": "yes"}).status_code == 302
    assert deleted_ids("students", since=since) == {mine.pk}
