"""The outbox and its scope filter, subscriptions' validation, sending one attempt (to a real receiver)."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.scope import Scope
from api.services import api_token_revoke
from edu_portal.common.exceptions import AppError
from reporting.services import province_accept
from students.services import student_update, transfer_request_create
from tests.factories import SchoolFactory, UserFactory, make_staff, make_student
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes) -> bool:
    """The receiver's check, written as the README tells a client to (not with the portal's own code)."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def _subscribe(token, url="http://127.0.0.1:9/hooks", types=("student.created", "student.updated")):
    return services.subscription_create(token=token, url=url, event_types=list(types))


def test_a_change_writes_one_delivery_per_subscription_whose_scope_covers_it(
        province_user, province_user_y, ministry_user, school_a, school_b, token_for):
    hanoi = _subscribe(token_for(province_user)[0])
    hcm = _subscribe(token_for(province_user_y)[0])
    country = _subscribe(token_for(ministry_user)[0])
    school_b_user = UserFactory(username="wb_school_b", role="school", school=school_b)
    of_b = _subscribe(token_for(school_b_user)[0])
    staff_only = _subscribe(token_for(ministry_user, name="hr")[0], types=["staff.created"])

    pupil = make_student(school_a)  # Hà Nội, school A

    targets = set(Delivery.objects.values_list("subscription_id", flat=True))
    assert targets == {hanoi.pk, country.pk}
    assert hcm.pk not in targets and of_b.pk not in targets and staff_only.pk not in targets
    event = Event.objects.get()
    assert event.type == "student.created"
    assert event.data["key"] == pupil.pupil_code and event.data["id"] == pupil.pk
    assert event.data["url"].endswith(f"/api/v1/students/{pupil.pk}/")
    # Keys only: no name, no date of birth, no ID number (the API gives them, masked as the token's right says).
    text = json.dumps(event.data, ensure_ascii=False)
    assert pupil.full_name not in text and pupil.id_number not in text and str(pupil.date_of_birth) not in text


def test_no_subscription_no_outbox_row(school_a):
    make_student(school_a)
    make_staff(school_a)
    assert not Event.objects.exists()


def test_a_change_rolled_back_leaves_no_event(province_user, school_a, token_for):
    _subscribe(token_for(province_user)[0])
    pupil = make_student(school_a)
    Event.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        student_update(scope=Scope.country(can_view_id_numbers=True), student=pupil, ethnicity="Tày")
        assert Event.objects.count() == 1  # written in the change's transaction...
        raise RuntimeError("the request fails after the write")
    assert not Event.objects.exists()  # ...and gone with it


def test_an_update_names_the_fields_changed_not_their_values(province_user, school_a, token_for):
    _subscribe(token_for(province_user)[0])
    pupil = make_student(school_a)
    student_update(scope=Scope.country(can_view_id_numbers=True), student=pupil, ethnicity="Tày")
    event = Event.objects.get(type="student.updated")
    assert event.data["changed"] == ["ethnicity"] and "Tày" not in json.dumps(event.data, ensure_ascii=False)


def test_a_transfer_request_reaches_both_sides(province_user, province_user_y, school_a, school_other_province,
                                               token_for):
    sending = _subscribe(token_for(province_user)[0], types=["transfer.requested"])
    receiving = _subscribe(token_for(province_user_y)[0], types=["transfer.requested"])
    pupil = make_student(school_a)
    clerk = UserFactory(username="wb_clerk_hcm", role="school", school=school_other_province)
    transfer_request_create(scope=Scope.for_user(clerk), user=clerk, to_school=school_other_province,
                            pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth, grade=3, class_name="3A")
    assert set(Delivery.objects.values_list("subscription_id", flat=True)) == {sending.pk, receiving.pk}
    data = Event.objects.get().data
    assert (data["from_school"]["code"], data["to_school"]["code"]) == (school_a.code, school_other_province.code)


def test_period_approved_and_accepted_reach_the_tokens_that_hold_them(
        province_user, province_user_y, ministry_user, school_user, school_a, token_for):
    import datetime as dt

    from edu_portal.common.models import current_school_year
    from reporting.services import period_create, submission_submit, submissions_approve

    types = ["period.approved", "period.accepted"]
    hanoi = _subscribe(token_for(province_user)[0], types=types)
    _subscribe(token_for(province_user_y)[0], types=types)
    of_a = _subscribe(token_for(school_user)[0], types=types)
    make_student(school_a)
    make_staff(school_a)
    today = timezone.localdate()
    period = period_create(scope=Scope.country(), school_year=current_school_year(), kind="start", opens_on=today,
                           closes_on=today, expires_on=today + dt.timedelta(days=9))
    submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school_a.pk)
    submissions_approve(scope=Scope.country(), user=None, period_id=period.pk, school_ids=[school_a.pk])
    approved = Delivery.objects.filter(event__type="period.approved")
    assert set(approved.values_list("subscription_id", flat=True)) == {hanoi.pk, of_a.pk}
    assert Event.objects.get(type="period.approved").data["school"]["code"] == school_a.code
    # The province's acceptance is the province's news: not a school's.
    province_accept(scope=Scope.country(), user=ministry_user, period_id=period.pk, province_code="01")
    accepted = Delivery.objects.filter(event__type="period.accepted")
    assert list(accepted.values_list("subscription_id", flat=True)) == [hanoi.pk]
    assert Event.objects.get(type="period.accepted").data["url"].endswith(f"/reporting/periods/{period.pk}/submissions/")


@pytest.mark.parametrize("url, code", [
    ("ftp://example.org/x", "invalid_url"),
    ("not a url", "invalid_url"),
    ("https://user:pw@example.org/x", "invalid_url"),
    ("http://8.8.8.8/hooks", "invalid_url"),  # plain http only to this machine or the local network, even in tests
    ("https://no-such-host.invalid/x", "invalid_url"),
    ("http://exa mple.org/x", "invalid_url"),
    ("http://exa_mple.org/x", "invalid_url"),
])
def test_bad_urls_are_refused(province_user, token_for, url, code):
    with pytest.raises(AppError) as refused:
        _subscribe(token_for(province_user)[0], url=url)
    assert refused.value.code == code and refused.value.details["url"]


def test_production_sends_only_https_to_public_addresses(province_user, token_for, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    token = token_for(province_user)[0]
    for url in ("http://127.0.0.1:8000/hooks", "https://127.0.0.1/hooks", "https://10.0.0.5/hooks",
                "https://169.254.169.254/latest/meta-data/"):
        with pytest.raises(AppError):
            _subscribe(token, url=url)
    assert _subscribe(token, url="https://8.8.8.8/hooks").url == "https://8.8.8.8/hooks"


def test_unknown_event_type_is_refused(province_user, token_for):
    with pytest.raises(AppError) as refused:
        _subscribe(token_for(province_user)[0], types=["student.created", "pupil.eaten"])
    assert refused.value.code == "invalid_event_type" and "pupil.eaten" in refused.value.message


def test_one_attempt_is_signed_and_logged(receiver, province_user, school_a, token_for):
    subscription = _subscribe(token_for(province_user)[0], url=receiver.url)
    make_student(school_a)
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    headers, body = receiver.requests[0]
    assert verify(subscription.secret, headers["x-eduportal-signature"], body)
    assert not verify("another secret", headers["x-eduportal-signature"], body)
    assert json.loads(body)["id"] == headers["x-eduportal-event-id"] == str(delivery.event.uid)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.error == "" and attempt.duration_ms < 5000
    # Sent once: a second copy of the task finds nothing due.
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_a_revoked_token_is_sent_nothing_more(receiver, province_user, school_a, token_for):
    token = token_for(province_user)[0]
    _subscribe(token, url=receiver.url)
    make_student(school_a)
    api_token_revoke(token=token)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED and delivery.last_error == "token revoked"
    assert receiver.requests == []


def test_a_token_whose_owner_moved_is_sent_nothing_more(receiver, province_user, school_a, token_for):
    _subscribe(token_for(province_user)[0], url=receiver.url)
    make_student(school_a)
    province_user.province_id = "79"  # the owner now works for another province
    province_user.save()
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED and receiver.requests == []


def test_a_failed_attempt_waits_longer_each_time_with_jitter(settings):
    settings.WEBHOOKS_BACKOFF_BASE, settings.WEBHOOKS_BACKOFF_MAX = 10.0, 3600.0
    for attempt, full in [(1, 10), (2, 20), (3, 40), (10, 3600), (20, 3600)]:
        waits = {services.backoff_seconds(attempt) for _ in range(50)}
        assert all(full / 2 <= w <= full for w in waits), (attempt, waits)
        assert len(waits) > 1  # jittered


def test_no_school_code_of_another_province_in_a_school_token_event(school_user, school_a, school_b, token_for):
    _subscribe(token_for(school_user)[0])
    make_student(school_b)  # same province, another school
    assert not Delivery.objects.exists()
    make_student(school_a)
    assert Delivery.objects.count() == 1


def test_school_of_other_province_changed_is_not_sent_to_hanoi(province_user, token_for):
    _subscribe(token_for(province_user)[0], types=["school.updated"])
    school = SchoolFactory(province_id="79")
    from schools.services import school_update

    school_update(scope=Scope.country(), school=school, address="1 Lê Lợi")
    assert not Delivery.objects.exists()
