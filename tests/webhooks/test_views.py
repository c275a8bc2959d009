"""The staff page: subscriptions of the client systems in the user's scope, their deliveries, replay."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory, make_student
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriptions(province_user, province_user_y, school_a, token_for):
    hanoi = services.subscription_create(token=token_for(province_user, name="SIS Hà Nội")[0],
                                         url="http://127.0.0.1:9/hanoi", event_types=["student.created"])
    hcm = services.subscription_create(token=token_for(province_user_y, name="SIS Sài Gòn")[0],
                                       url="http://127.0.0.1:9/hcm", event_types=["student.created"])
    make_student(school_a)
    return hanoi, hcm


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_province_sees_its_own_client_systems_only(subscriptions, province_user, ministry_user, school_user):
    hanoi, hcm = subscriptions
    page = _client(province_user).get("/webhooks/").content.decode()
    assert "SIS Hà Nội" in page and "SIS Sài Gòn" not in page and "/hcm" not in page
    assert _client(province_user).get(f"/webhooks/{hcm.pk}/").status_code == 404
    ministry_page = _client(ministry_user).get("/webhooks/").content.decode()
    assert "SIS Hà Nội" in ministry_page and "SIS Sài Gòn" in ministry_page
    assert _client(school_user).get("/webhooks/").status_code == 403


def test_deliveries_and_replay_from_the_page(subscriptions, province_user, province_user_y):
    hanoi, _hcm = subscriptions
    delivery = Delivery.objects.get(subscription=hanoi)
    client = _client(province_user)
    page = client.get(f"/webhooks/{hanoi.pk}/").content.decode()
    assert f'data-testid="delivery-{delivery.pk}"' in page and "student.created" in page
    assert f'data-testid="replay-{delivery.pk}"' not in page  # still pending
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    assert _client(province_user_y).post(f"/webhooks/deliveries/{delivery.pk}/replay/").status_code == 404
    response = client.post(f"/webhooks/deliveries/{delivery.pk}/replay/", follow=True)
    assert response.status_code == 200
    replay = Delivery.objects.get(replay_of=delivery)
    assert replay.status == DeliveryStatus.PENDING and f'data-testid="delivery-{replay.pk}"' in response.content.decode()


def test_the_page_in_english(subscriptions, province_user):
    client = _client(province_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/webhooks/"})
    page = client.get("/webhooks/").content.decode()
    assert "Delivery address" in page and "Event types" in page and "Địa chỉ nhận" not in page


def test_a_province_user_sees_its_schools_tokens(province_user, school_a, token_for):
    clerk = UserFactory(username="wv_clerk_a", role="school", school=school_a)
    services.subscription_create(token=token_for(clerk, name="SIS trường A")[0], url="http://127.0.0.1:9/a",
                                 event_types=["student.created"])
    assert "SIS trường A" in _client(province_user).get("/webhooks/").content.decode()


def test_the_deliveries_sort_page_and_export(subscriptions, province_user):
    """The list component on a subscription's deliveries (edu_portal.common.listing): sorted both ways, exported
    with the "as of" line, never another province's subscription."""
    from tests.exports import read_export

    hanoi, hcm = subscriptions
    client = _client(province_user)
    url = f"/webhooks/{hanoi.pk}/"
    ids = list(Delivery.objects.filter(subscription=hanoi).values_list("pk", flat=True))
    assert ids
    assert [d.pk for d in client.get(url, {"sort": "id"}).context["page"]] == sorted(ids)
    assert [d.pk for d in client.get(url, {"sort": "-id"}).context["page"]] == sorted(ids, reverse=True)
    as_of, rows = read_export(client.get(url, {"export": "xlsx", "sort": "-id"}))
    assert "SIS Hà Nội" in as_of and [r[0] for r in rows[1:]] == sorted(ids, reverse=True)
    assert client.get(f"/webhooks/{hcm.pk}/", {"export": "csv"}).status_code == 404


def test_the_subscriptions_sort_and_export_within_the_scope_with_scopes_in_words(subscriptions, province_user,
                                                                                 ministry_user):
    from tests.exports import export_rows

    hanoi, hcm = subscriptions
    client = _client(ministry_user)
    assert [s.pk for s in client.get("/webhooks/", {"sort": "token"}).context["page"]] == [hanoi.pk, hcm.pk]
    assert [s.pk for s in client.get("/webhooks/", {"sort": "-token"}).context["page"]] == [hcm.pk, hanoi.pk]
    for sort in ("pending", "-failed", "active", "url", "created"):
        assert client.get("/webhooks/", {"sort": sort}).status_code == 200
    rows = export_rows(client.get("/webhooks/", {"export": "csv", "sort": "token"}))
    assert [r[0] for r in rows[1:]] == ["SIS Hà Nội", "SIS Sài Gòn"]
    scope_column = rows[0].index("Phạm vi")
    assert rows[1][scope_column] == hanoi.token.province.name and "province:" not in "".join(rows[1])
    own = export_rows(_client(province_user).get("/webhooks/", {"export": "xlsx"}))
    assert [r[0] for r in own[1:]] == ["SIS Hà Nội"]
