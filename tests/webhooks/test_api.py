"""/api/v1/webhooks/: a client system (its token) manages its own subscriptions and reads its own deliveries."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import ApiClient
from tests.factories import make_student
from webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanoi_client(province_user, token_for):
    return ApiClient(token_for(province_user)[1])


def _create(client, **overrides):
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["student.created", "student.deleted"]} | overrides
    return client.post("/webhooks/subscriptions/", body)


def test_subscribe_list_change_delete(hanoi_client):
    status, created = _create(hanoi_client, description="Phần mềm quản lý trường")
    assert status == 201 and len(created["secret"]) == 64 and created["active"] is True
    assert created["event_types"] == ["student.created", "student.deleted"]
    status, listed = hanoi_client.get("/webhooks/subscriptions/")
    assert status == 200 and [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0]  # shown once
    status, changed = hanoi_client.patch(f"/webhooks/subscriptions/{created['id']}/", {"active": False})
    assert status == 200 and changed["active"] is False and "secret" not in changed
    status, rotated = hanoi_client.patch(f"/webhooks/subscriptions/{created['id']}/", {"rotate_secret": True})
    assert status == 200 and rotated["secret"] != created["secret"]
    assert Subscription.objects.get().secret == rotated["secret"]
    status, _ = hanoi_client.delete(f"/webhooks/subscriptions/{created['id']}/")
    assert status == 204 and not Subscription.objects.exists()


@pytest.mark.parametrize("overrides, code, field", [
    ({"url": "ftp://example.org/"}, "invalid_url", "url"),
    ({"url": "http://8.8.8.8/hooks"}, "invalid_url", "url"),
    ({"event_types": ["student.created", "pupil.eaten"]}, "invalid_event_type", "event_types"),
    ({"event_types": []}, "invalid", "event_types"),
    ({"event_types": "student.created"}, "invalid", "event_types"),
    ({"url": None}, "invalid", "url"),
])
def test_bad_input_is_a_400_naming_the_field(hanoi_client, overrides, code, field):
    status, body = _create(hanoi_client, **overrides)
    assert status == 400, body
    assert body["error"]["code"] == code and field in body["error"]["details"]
    assert not Subscription.objects.exists()


def test_another_clients_subscription_and_deliveries_are_not_found(hanoi_client, province_user, ministry_user,
                                                                   school_a, token_for):
    _, created = _create(hanoi_client)
    make_student(school_a)
    delivery = Delivery.objects.get()
    other = ApiClient(token_for(ministry_user)[1])  # even the country's token: it is another client system
    for method, url in [("get", f"/webhooks/subscriptions/{created['id']}/"),
                        ("patch", f"/webhooks/subscriptions/{created['id']}/"),
                        ("post", f"/webhooks/subscriptions/{created['id']}/ping/"),
                        ("get", f"/webhooks/deliveries/{delivery.pk}/"),
                        ("post", f"/webhooks/deliveries/{delivery.pk}/replay/")]:
        status, body = getattr(other, method)(url, {}) if method != "get" else other.get(url)
        assert status == 404 and body["error"]["code"] == "not_found", (method, url)
    assert other.get("/webhooks/deliveries/")[1]["results"] == []
    # The same owner's other token is another client system too.
    assert ApiClient(token_for(province_user, name="second")[1]).get("/webhooks/subscriptions/")[1] == []


def test_deliveries_page_by_page_with_their_attempts(hanoi_client, school_a):
    _, created = _create(hanoi_client)
    for _i in range(3):
        make_student(school_a)
    status, page = hanoi_client.get("/webhooks/deliveries/", {"page_size": 2})
    assert status == 200 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["event"]["type"] == "student.created"
    assert page["results"][0]["status"] == "pending"
    status, rest = hanoi_client.get(page["next"].split("/api/v1", 1)[1])
    assert status == 200 and len(rest["results"]) == 1 and rest["next"] is None
    status, one = hanoi_client.get(f"/webhooks/deliveries/{rest['results'][0]['id']}/")
    assert status == 200 and one["attempt_log"] == []
    assert hanoi_client.get("/webhooks/deliveries/", {"status": "lost"})[0] == 400
    assert hanoi_client.get("/webhooks/deliveries/", {"colour": "red"})[0] == 400
    status, delivered = hanoi_client.get("/webhooks/deliveries/", {"status": "delivered"})
    assert status == 200 and delivered["results"] == []


def test_ping_and_replay(hanoi_client, school_a):
    _, created = _create(hanoi_client)
    status, ping = hanoi_client.post(f"/webhooks/subscriptions/{created['id']}/ping/", {})
    assert status == 202 and ping["event"]["type"] == "ping" and ping["status"] == "pending"
    # A pending delivery is not replayed (it is still being sent).
    status, body = hanoi_client.post(f"/webhooks/deliveries/{ping['id']}/replay/", {})
    assert status == 409 and body["error"]["code"] == "pending"
    Delivery.objects.filter(pk=ping["id"]).update(status=DeliveryStatus.FAILED)
    status, replay = hanoi_client.post(f"/webhooks/deliveries/{ping['id']}/replay/", {})
    assert status == 202 and replay["replay_of"] == ping["id"] and replay["event"]["id"] == ping["event"]["id"]


def test_a_browser_session_has_no_client_system(province_user):
    client = Client()
    client.force_login(province_user)
    response = client.get("/api/v1/webhooks/subscriptions/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "token_required"


def test_no_token_is_401():
    assert Client().get("/api/v1/webhooks/subscriptions/").status_code == 401
