"""The session and user reads of every request (security.sessions, ThrottledModelBackend.get_user): one SQL
statement each, with the outcomes of Django's ORM reads: a live session signs its user in; an expired or
deleted session, a deactivated or deleted user, a changed password sign them out."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from security.backends import ThrottledModelBackend
from security.sessions import SessionStore


def _signed_in(client: Client) -> bool:
    response = client.get("/dashboards/")
    return response.status_code == 200


@pytest.fixture
def client_in(ministry_user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(ministry_user)
    assert _signed_in(client)
    return client


def test_the_engine_is_ours(settings):
    assert settings.SESSION_ENGINE == "security.sessions"


def test_a_session_reads_back_what_was_stored(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == 42 and again.session_key == store.session_key
    assert SessionStore("no-such-key").load() == {}


def test_an_expired_session_signs_out(client_in):
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not _signed_in(client_in)


def test_a_session_deleted_elsewhere_signs_out(client_in):
    Session.objects.all().delete()  # a logout from another tab or process
    assert not _signed_in(client_in)


def test_a_deactivated_or_deleted_user_is_signed_out(client_in, ministry_user):
    get_user_model().objects.filter(pk=ministry_user.pk).update(is_active=False)
    assert not _signed_in(client_in)
    get_user_model().objects.filter(pk=ministry_user.pk).update(is_active=True)
    assert _signed_in(client_in)
    get_user_model().objects.filter(pk=ministry_user.pk).delete()
    assert not _signed_in(client_in)


def test_a_changed_password_signs_out_the_other_sessions(client_in, ministry_user):
    ministry_user.set_password("another-long-passphrase-2026")
    ministry_user.save()
    assert not _signed_in(client_in)


def test_the_backend_reads_the_whole_user(ministry_user):
    user = ThrottledModelBackend().get_user(str(ministry_user.pk))
    assert user is not None and user.pk == ministry_user.pk
    assert {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields} == (
        {f.attname: getattr(ministry_user, f.attname) for f in user._meta.concrete_fields})
    assert not user._state.adding
    assert ThrottledModelBackend().get_user("not-a-number") is None
    assert ThrottledModelBackend().get_user(str(ministry_user.pk + 10_000)) is None
