"""Only a superuser grants the right to see full ID numbers through the admin."""
import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_staff_user_cannot_grant_themself_the_id_number_right(client):
    staff = UserFactory(username="t_staff", is_staff=True, may_view_id_numbers=False)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts",
                                                          codename__in=["view_user", "change_user"]))
    client.force_login(staff)
    page = client.get(f"/admin/accounts/user/{staff.pk}/change/")
    assert page.status_code == 200 and 'name="may_view_id_numbers"' not in page.content.decode()
    client.post(f"/admin/accounts/user/{staff.pk}/change/", {
        "username": "t_staff", "role": "ministry", "is_active": "on", "is_staff": "on",
        "may_view_id_numbers": "on", "is_superuser": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"})
    staff = User.objects.get(pk=staff.pk)
    assert not staff.may_view_id_numbers and not staff.is_superuser
