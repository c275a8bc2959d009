"""The client's webhook receiver against the portal's own deliveries: a real subscription, a real event, the
portal's sender (webhooks.services.delivery_attempt) posting over loopback HTTP to `webhook-listen`'s server."""
import json
import threading
import time

import httpx
import pytest

from accounts.models import Role
from accounts.scope import Scope
from api.services import api_token_create
from schools.selectors import scope_parse
from students.services import student_update
from sync_client.store import Mirror
from sync_client.webhooks import make_server
from tests.factories import UserFactory, make_student
from tests.processes import free_port
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import delivery_attempt, delivery_replay, subscription_create
from webhooks.signing import signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def listen(tmp_path):
    """listen(secret, port) -> mirror: `webhook-listen`'s server in a thread, stopped after the test."""
    mirror, servers = Mirror(tmp_path / "events.sqlite3"), []

    def start(secret: str, port: int) -> Mirror:
        server = make_server("127.0.0.1", port, secret=secret, mirror=mirror)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return mirror

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    mirror.close()


def post(url: str, body: bytes, header: str) -> int:
    headers = {"Content-Type": "application/json", "X-EduPortal-Signature": header, "X-EduPortal-Event-Id": "e-1"}
    return httpx.post(url, content=body, headers=headers, timeout=5).status_code


def test_signed_deliveries_are_taken_once_and_forgeries_refused(listen, school_a):
    user = UserFactory(role=Role.PROVINCE, province_id="01")
    token = api_token_create(user=user, name="vendor", scope=scope_parse("province:01"), can_write=False)[0]
    url = f"http://127.0.0.1:{free_port(8121)}/hooks"
    subscription = subscription_create(token=token, url=url, event_types=["student.updated"])
    secret = subscription.secret  # shown once at subscription; the vendor configures its receiver with it
    mirror = listen(secret, int(url.split(":")[2].split("/")[0]))
    pupil = make_student(school_a)
    student_update(scope=Scope.country(), student=pupil, full_name="Nguyễn Văn Mới")
    delivery = Delivery.objects.get(subscription=subscription)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED, delivery.last_error
    [event] = mirror.events()
    assert event["type"] == "student.updated" and event["data"]["id"] == pupil.pk

    # A replay carries the same event id: answered 2xx (the portal stops) and dropped.
    replay = delivery_replay(delivery=delivery)
    delivery_attempt(delivery_id=replay.pk)
    replay.refresh_from_db()
    assert replay.status == DeliveryStatus.DELIVERED and len(mirror.events()) == 1

    body = json.dumps({"id": "e-1", "type": "student.deleted", "data": {}}).encode()
    now = int(time.time())
    assert post(url, body, signature("another secret", now, body)) == 401
    assert post(url, body, signature(secret, now - 301, body)) == 401  # stale: a captured message sent later
    assert post(url, body + b" ", signature(secret, now, body)) == 401  # altered on the way
    assert post(url, body, "v1=abc") == 401
    assert post(url, body, signature(secret, now, body)) == 200
    assert len(mirror.events()) == 2
