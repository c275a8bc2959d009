"""Django admin of staff: the right to see full ID numbers holds there too, and is audited."""
import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from audit.models import Action, AuditEvent
from teachers.models import StaffMember
from tests.deleted_feed import deleted_ids
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db
URL = "/admin/teachers/staffmember/"


def _staff(*, may_view: bool):
    user = UserFactory(role="ministry", is_staff=True, may_view_id_numbers=may_view)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="teachers",
                                                         codename__in=["view_staffmember", "change_staffmember"]))
    return user


def test_staff_admin_masks_numbers_and_refuses_number_search_without_the_right(client, school_a):
    member = make_staff(school_a)
    client.force_login(_staff(may_view=False))
    for url in (URL, f"{URL}{member.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200 and member.id_number not in response.content.decode()
    # The old search matched any part of the number: a digit-by-digit oracle.
    for q in (member.id_number, member.id_number[:8]):
        assert member.staff_code not in client.get(URL, {"q": q}).content.decode()
    assert not AuditEvent.objects.filter(action=Action.VIEW_ID).exists()


def test_staff_admin_shows_full_numbers_to_the_right_and_audits_it(client, school_a):
    member = make_staff(school_a)
    user = _staff(may_view=True)
    client.force_login(user)
    assert member.id_number in client.get(f"{URL}{member.pk}/change/").content.decode()
    assert AuditEvent.objects.filter(action=Action.VIEW_ID, actor_id=user.pk, model="teachers.staffmember",
                                     record_id=member.pk).count() == 1
    assert member.staff_code in client.get(URL, {"q": member.id_number}).content.decode()
    assert member.staff_code not in client.get(URL, {"q": member.id_number[:8]}).content.decode()


# --- Deletes: through the service, so the API's deleted feed tells syncing clients ------------

def test_admin_deletes_of_staff_single_and_bulk_reach_the_api_deleted_feed(client, school_a, school_b):
    single, bulk, kept = make_staff(school_a), [make_staff(school_a), make_staff(school_b)], make_staff(school_b)
    since = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    client.force_login(UserFactory(role="ministry", is_staff=True, is_superuser=True))
    assert client.post(f"{URL}{single.pk}/delete/", {"post": "yes"}).status_code == 302
    assert deleted_ids("staff", since=since) == {single.pk}
    response = client.post(URL, {"action": "delete_selected", "post": "yes",
                                 "_selected_action": [m.pk for m in bulk]})
    assert response.status_code == 302
    assert deleted_ids("staff", since=since) == {single.pk, *(m.pk for m in bulk)}
    assert list(StaffMember.objects.values_list("pk", flat=True)) == [kept.pk]
    assert deleted_ids("students", since=since) == set()  # each kind has its own feed
