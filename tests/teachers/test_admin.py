"""Django admin of staff: the right to see full ID numbers holds there too, and is audited."""
import pytest
from django.contrib.auth.models import Permission

from audit.models import Action, AuditEvent
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
