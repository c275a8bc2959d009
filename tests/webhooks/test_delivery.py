"""Deliveries through a real Celery worker (a thread of this process, solo pool) to a real HTTP receiver on
loopback: signed, retried with backoff, cut off when the receiver hangs, never lost, replayable."""
from __future__ import annotations

import json
import time

import pytest

from edu_portal.celery import app
from tests.factories import SchoolFactory, UserFactory, make_student
from tests.processes import thread_worker
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus

from .conftest import wait_until
from .test_services import verify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hanoi(token_for):
    school = SchoolFactory(province_id="01")
    user = UserFactory(username="wd_hanoi", role="province", province_id="01")
    token, secret = token_for(user)
    return {"school": school, "token": token, "secret": secret}


def _subscribe(hanoi, url):
    return services.subscription_create(token=hanoi["token"], url=url, event_types=["student.created"])


def _finished(delivery_id: int):
    delivery = Delivery.objects.get(pk=delivery_id)
    return delivery if delivery.status != DeliveryStatus.PENDING else None


def test_a_change_reaches_the_receiver_signed(receiver, fast_webhooks, hanoi):
    subscription = _subscribe(hanoi, receiver.url)
    with thread_worker():
        pupil = make_student(hanoi["school"])
        delivery = wait_until(lambda: _finished(Delivery.objects.get().pk), message="delivered")
    assert delivery.status == DeliveryStatus.DELIVERED
    headers, body = receiver.requests[0]
    assert verify(subscription.secret, headers["x-eduportal-signature"], body)
    message = json.loads(body)
    assert message["type"] == headers["x-eduportal-event"] == "student.created"
    assert message["data"]["key"] == pupil.pupil_code
    assert pupil.full_name not in body.decode()


def test_a_receiver_answering_500_is_retried_until_it_answers_200(receiver, fast_webhooks, hanoi):
    _subscribe(hanoi, receiver.url)
    receiver.script = [500, 503]
    with thread_worker():
        make_student(hanoi["school"])
        delivery = wait_until(lambda: _finished(Delivery.objects.get().pk), message="delivered after retries")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert [a.error for a in delivery.attempt_log.all()] == ["HTTP 500", "HTTP 503", ""]
    # The same event each time (receivers drop repeats by its id), signed anew each time.
    assert len({h["x-eduportal-event-id"] for h, _body in receiver.requests}) == 1
    assert [h["x-eduportal-attempt"] for h, _body in receiver.requests] == ["1", "2", "3"]


def test_a_receiver_that_hangs_is_cut_off_and_tried_again(receiver, fast_webhooks, hanoi):
    _subscribe(hanoi, receiver.url)
    receiver.script = [("hang", 6)]  # far beyond the 1-second timeout
    started = time.monotonic()
    with thread_worker():
        make_student(hanoi["school"])
        delivery = wait_until(lambda: _finished(Delivery.objects.get().pk), message="delivered after a timeout")
    first, second = delivery.attempt_log.all()
    assert first.status_code is None and first.error.startswith("timeout") and first.duration_ms < 2500
    assert second.status_code == 200 and delivery.status == DeliveryStatus.DELIVERED
    assert time.monotonic() - started < 6  # the worker did not wait for the hanging receiver


def test_gives_up_after_the_last_attempt_then_a_replay_delivers(receiver, fast_webhooks, hanoi):
    _subscribe(hanoi, receiver.url)
    receiver.script = [500, 500, 500]
    with thread_worker():
        make_student(hanoi["school"])
        failed = wait_until(lambda: _finished(Delivery.objects.get().pk), message="failed")
        assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 3)
        replay = services.delivery_replay(delivery=failed)
        replay = wait_until(lambda: _finished(replay.pk), message="replayed")
    assert replay.status == DeliveryStatus.DELIVERED and replay.replay_of_id == failed.pk
    assert replay.event_id == failed.event_id
    assert Delivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED  # its log kept as it was
    assert len(receiver.requests) == 4


def test_the_outbox_survives_a_lost_message_and_the_beat_task_sends_it(receiver, fast_webhooks, hanoi):
    """The change commits, its message never reaches a worker (the broker lost it, the worker crashed before
    taking it): the delivery waits in the database and the periodic task sends it."""
    _subscribe(hanoi, receiver.url)
    app.control.purge()
    make_student(hanoi["school"])  # no worker running: the message waits in the broker...
    app.control.purge()  # ...and is lost
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and receiver.requests == []
    with thread_worker():
        app.send_task("webhooks.deliveries_resend")
        wait_until(lambda: _finished(delivery.pk), message="sent by the beat task")
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_the_outbox_survives_a_receiver_that_is_down(fast_webhooks, hanoi, receiver):
    """Nothing listens at the URL (connection refused) at any attempt: the delivery ends failed, its event and
    the log of every attempt kept (a replay sends it again: the test above)."""
    port_down = receiver.server.server_address[1]
    receiver.server.shutdown()
    receiver.server.server_close()
    _subscribe(hanoi, f"http://127.0.0.1:{port_down}/hooks")
    with thread_worker():
        make_student(hanoi["school"])
        failed = wait_until(lambda: _finished(Delivery.objects.get().pk), message="failed")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 3
    assert all(a.status_code is None and "ConnectError" in a.error for a in failed.attempt_log.all())
