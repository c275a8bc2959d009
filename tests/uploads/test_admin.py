"""Django admin shows an upload's ID-bearing parts (files, errors, message) only to staff with the right."""
import pytest

from accounts.models import Role
from tests.factories import UserFactory

from .conftest import PUPIL_HEADER, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("right", [False, True])
def test_upload_admin_hides_numbers_from_staff_without_the_right(client, school_user, right):
    rows = pupil_rows(2)
    rows[1][3] = "31/02/2016"  # an error row: the stored errors quote the row
    rows[1][1] = rows[1][1].lstrip("0")
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows))
    admin = UserFactory(username=f"t_admin_{right}", role=Role.MINISTRY, is_staff=True, is_superuser=True,
                        may_view_id_numbers=right)
    client.force_login(admin)
    page = client.get(f"/admin/uploads/upload/{upload.pk}/change/").content.decode()
    assert upload.file_name in page
    assert (rows[1][1] in page) == right
