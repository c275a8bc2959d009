"""The language list and the choice remembered (issue 21): each language named in its own language; the choice kept
in a lasting cookie and, for a signed-in user, on their account, so that signing in elsewhere brings it back."""
import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_language_is_named_in_its_own_language_whatever_the_page_language(client):
    for language in ("vi", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get("/login/").content.decode()
        assert '<option value="vi" lang="vi"' in html and ">Tiếng Việt</option>" in html
        assert ">English</option>" in html
        assert "Tiếng Anh" not in html and ">Vietnamese<" not in html


def test_the_choice_is_remembered_on_the_account_and_follows_the_user_to_another_device(client):
    user = UserFactory(username="t_traveller", role=Role.MINISTRY)
    user.set_password("pw-123456789")
    user.save()
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600  # outlives the browser session
    user.refresh_from_db()
    assert user.language == "en"

    other_device = Client()
    assert "Đăng nhập" in other_device.get("/login/").content.decode()
    signed_in = other_device.post("/login/", {"username": "t_traveller", "password": "pw-123456789"})
    assert signed_in.status_code == 302
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log out" in other_device.get("/").content.decode()


def test_anonymous_choice_sets_only_the_cookie_and_a_bad_language_is_ignored(client):
    user = UserFactory(role=Role.MINISTRY)
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""


def test_an_api_client_chooses_the_language_of_errors_with_accept_language(client):
    vi = client.get("/api/v1/stats/overview/").json()
    en = client.get("/api/v1/stats/overview/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert set(vi) == set(en) == {"error"} and vi["error"]["code"] == en["error"]["code"]
    assert vi["error"]["message"] != en["error"]["message"]
