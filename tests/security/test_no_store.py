"""`Cache-Control: no-store` on every response that may carry full ID numbers (a user or token
whose scope may see them; file downloads), and only there: other responses stay cacheable."""
import pytest
from django.http import FileResponse, HttpResponse
from django.test import Client

from accounts.models import Role
from accounts.scope import Scope
from api.services import api_token_create
from security.middleware import IdNumberNoStoreMiddleware
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/students/", "/staff/", "/schools/"])
def test_pages_for_a_user_who_sees_full_numbers_are_not_stored(client, path):
    client.force_login(UserFactory(role=Role.MINISTRY, may_view_id_numbers=True))
    response = client.get(path)
    assert response.status_code == 200 and no_store(response)


@pytest.mark.parametrize("path", ["/", "/students/", "/staff/", "/schools/"])
def test_pages_for_a_masked_user_stay_as_they_were(client, path):
    client.force_login(UserFactory(role=Role.PROVINCE, province_id="01", may_view_id_numbers=False))
    response = client.get(path)
    assert response.status_code == 200 and not no_store(response)


def test_anonymous_answers_stay_as_they_were(client):
    assert not no_store(client.get("/students/"))  # the redirect to the login page


def test_api_answers_follow_the_token(client):
    """DRF authenticates the token inside the view: the middleware reads it afterwards."""
    seer = UserFactory(role=Role.MINISTRY, may_view_id_numbers=True)
    masked = UserFactory(role=Role.MINISTRY, may_view_id_numbers=False)
    full = api_token_create(user=seer, name="đồng bộ", scope=Scope.country())[1]
    partial = api_token_create(user=masked, name="thống kê", scope=Scope.country())[1]

    response = Client().get("/api/v1/students/", headers={"Authorization": f"Token {full}"})
    assert response.status_code == 200 and no_store(response)
    response = Client().get("/api/v1/students/", headers={"Authorization": f"Token {partial}"})
    assert response.status_code == 200 and not no_store(response)
    # A browser session on the API follows the user.
    client.force_login(seer)
    assert no_store(client.get("/api/v1/students/"))


def test_file_downloads_are_never_stored_whoever_asks(rf, tmp_path):
    """Uploaded originals and error files hold the numbers as typed, even for a masked viewer."""
    path = tmp_path / "hoc_sinh.csv"
    path.write_text("001316000001\n")
    request = rf.get("/uploads/1/original/")
    request.user = UserFactory(role=Role.SCHOOL, may_view_id_numbers=False)
    download = IdNumberNoStoreMiddleware(lambda r: FileResponse(path.open("rb"), as_attachment=True))(request)
    assert no_store(download)
    download.close()
    page = IdNumberNoStoreMiddleware(lambda r: HttpResponse("ok"))(request)
    assert not no_store(page)
