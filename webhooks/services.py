"""Writes of the webhooks app: subscriptions, the outbox rows of emitted events, delivery attempts, replays."""
from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from api.models import ApiToken
from edu_portal.common import events as common_events
from edu_portal.common.exceptions import AppError
from edu_portal.common.queue import enqueue, enqueue_on_commit

from .models import Attempt, Delivery, DeliveryStatus, Event, Subscription
from .signing import HEADER, signature
from .targets import target_check

PING = "ping"  # sent on request to one subscription, to test a receiver; not subscribable
DISPATCH_CHUNK = 500  # deliveries per message sent after a commit (a national approval makes 54,000)
DESCRIPTION_MAX = 200
BATCH = 2000  # rows per INSERT (a national approval writes 54,000 events per subscriber)


def _event_types_or_raise(event_types) -> list[str]:
    if not isinstance(event_types, list) or not event_types or not all(isinstance(t, str) for t in event_types):
        message = _("Chọn ít nhất một loại sự kiện (danh sách).")
        raise AppError(message, code="invalid_event_type", details={"event_types": [message]})
    unknown = sorted(set(event_types) - set(common_events.EVENT_TYPES))
    if unknown:
        message = _("Loại sự kiện không có: %(unknown)s. Các loại: %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(common_events.EVENT_TYPES)}
        raise AppError(message, code="invalid_event_type", details={"event_types": [message]})
    return sorted(set(event_types))


def _description_or_raise(description) -> str:
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
        message = _("Mô tả là chuỗi tối đa 200 ký tự.")
        raise AppError(message, details={"description": [message]})
    return description.strip()


@transaction.atomic
def subscription_create(*, token: ApiToken, url: str, event_types: list[str], description: str = "",
                        active: bool = True) -> Subscription:
    """A subscription of the token's client system. Its secret is generated here and shown once, by the caller."""
    subscription = Subscription(token=token, url=target_check(url), event_types=_event_types_or_raise(event_types),
                                description=_description_or_raise(description), active=bool(active),
                                secret=secrets.token_hex(32))
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(*, subscription: Subscription, **changes) -> Subscription:
    """Change the URL, event types, description or active flag; `rotate_secret=True` issues a new secret."""
    unknown = set(changes) - {"url", "event_types", "description", "active", "rotate_secret"}
    if unknown:
        raise AppError(_("Không sửa được: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                       details={field: [_("Không sửa được.")] for field in sorted(unknown)})
    if "url" in changes:
        subscription.url = target_check(changes["url"])
    if "event_types" in changes:
        subscription.event_types = _event_types_or_raise(changes["event_types"])
    if "description" in changes:
        subscription.description = _description_or_raise(changes["description"])
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            raise AppError(_("active: true hoặc false."), details={"active": [_("true hoặc false.")]})
        subscription.active = changes["active"]
    if changes.get("rotate_secret") is True:
        subscription.secret = secrets.token_hex(32)
    subscription.updated_at = timezone.now()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    """With its deliveries and their log (the events other subscriptions share stay)."""
    subscription.delete()


# --- the outbox -----------------------------------------------------------------------------------------------

def _token_area(token: ApiToken) -> Scope:
    """The area a token's events come from (its ID-number right plays no part: events carry no numbers)."""
    if token.scope_kind == PROVINCE:
        return Scope(PROVINCE, province_code=token.province_id)
    if token.scope_kind == SCHOOL:
        return Scope(SCHOOL, school_id=token.school_id, province_code=token.school.province_id)
    return Scope(COUNTRY)


def _covers(scope: Scope, places) -> bool:
    return any(scope.covers(school_id=school_id, province_id=province_id) for school_id, province_id in places)


def _with_link(event: common_events.Event) -> dict:
    """The event's data, with the API address of the record it is about (the receiver fetches it there, under
    its token's scope and ID-number masking)."""
    data = dict(event.data)
    names = {"student": "api:student-detail", "staff": "api:staff-detail", "school": "api:school-detail"}
    kind, action = event.type.split(".", 1)
    path = None
    if kind in names and action != "deleted":
        path = reverse(names[kind], kwargs={"pk": data["id"]})
    elif kind in names:
        path = reverse(names[kind].replace("-detail", "-deleted"))
    elif kind == "transfer":
        path = reverse("api:transfer-detail", kwargs={"pk": data["id"]})
    elif kind == "period":
        path = reverse("api:reporting-submissions", kwargs={"pk": data["period"]["id"]})
    if path:
        data["url"] = settings.PORTAL_URL.rstrip("/") + path
    return data


def events_record(events: list[common_events.Event]) -> int:
    """Write the outbox rows of `events` for the subscriptions that want them (the event type, the token's scope
    covering one of the event's places), in the caller's transaction; their sending is queued after the commit.
    Nothing is written when no subscription wants an event. Returns how many deliveries."""
    types = sorted({e.type for e in events})
    subscriptions = list(Subscription.objects.select_related("token", "token__school")
                         .filter(active=True, event_types__overlap=types, token__revoked_at__isnull=True))
    if not subscriptions:
        return 0
    areas = [(s, _token_area(s.token)) for s in subscriptions]
    now = timezone.now()
    rows: list[tuple[Event, list[Subscription]]] = []
    for event in events:
        wanted = [s for s, area in areas if event.type in s.event_types and _covers(area, event.places)]
        if wanted:
            rows.append((Event(type=event.type, data=_with_link(event), places=[list(p) for p in event.places],
                               occurred_at=now), wanted))
    if not rows:
        return 0
    Event.objects.bulk_create([row for row, _wanted in rows], batch_size=BATCH)
    deliveries = Delivery.objects.bulk_create([Delivery(event=row, subscription=s, next_attempt_at=now)
                                               for row, wanted in rows for s in wanted], batch_size=BATCH)
    _send_after_commit([d.pk for d in deliveries])
    return len(deliveries)


def _send_after_commit(delivery_ids: list[int]) -> None:
    for start in range(0, len(delivery_ids), DISPATCH_CHUNK):
        enqueue_on_commit("webhooks.deliveries_send", delivery_ids[start:start + DISPATCH_CHUNK])


def deliveries_send(*, delivery_ids: list[int]) -> None:
    """One message per delivery (each retried on its own)."""
    for delivery_id in delivery_ids:
        enqueue("webhooks.deliver", delivery_id)


def deliveries_resend(*, now=None, limit: int = 5000) -> int:
    """Queue the pending deliveries that are due: retries after their backoff, and any whose message was lost (a
    worker that crashed, a broker that was down at the commit). A delivery queued twice is sent once
    (delivery_attempt takes it locked and due). Returns how many were queued."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    deliveries_send(delivery_ids=ids)
    return len(ids)


# --- sending --------------------------------------------------------------------------------------------------

def backoff_seconds(attempt: int) -> float:
    """Wait after failed attempt number `attempt` (1, 2, ...): exponential, capped, with jitter (half to all of
    it) so that the retries of many deliveries to one receiver that was down do not arrive all at once."""
    delay = min(settings.WEBHOOKS_BACKOFF_MAX, settings.WEBHOOKS_BACKOFF_BASE * 2 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - spreading retries, not a secret


def _undeliverable(delivery: Delivery) -> str:
    """Why this delivery may not be sent any more ('' if it may): rights are checked at sending time."""
    subscription, token = delivery.subscription, delivery.subscription.token
    if token.revoked_at is not None or not token.user.is_active:
        return "token revoked"
    if delivery.event.type == PING:
        return ""
    if not subscription.active:
        return "subscription inactive"
    # As the API's authentication: the token is worth no more than its owner's (and issuer's) scope now.
    owner = Scope.for_user(token.user)
    issuer = token.created_by if token.issued_by_other else None
    area = _token_area(token)
    if not owner.includes(area) or (issuer is not None and not (issuer.is_active
                                                                and Scope.for_user(issuer).includes(area))):
        return "token outside its owner's scope"
    if not _covers(area, delivery.event.places):
        return "event outside the token's scope"
    return ""


def payload(event: Event) -> bytes:
    body = {"id": str(event.uid), "type": event.type, "occurred_at": event.occurred_at.isoformat(), "data": event.data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _post(delivery: Delivery, number: int) -> tuple[int | None, str]:
    """One HTTP POST: (status code or None, error). Never follows a redirect (it could lead inside our network);
    every phase has a timeout, so a receiver that hangs holds the worker a few seconds at most."""
    subscription = delivery.subscription
    try:
        url = target_check(subscription.url)
    except AppError as exc:
        return None, exc.message
    body = payload(delivery.event)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "edu_portal-webhooks/1",
               "X-EduPortal-Event": delivery.event.type, "X-EduPortal-Event-Id": str(delivery.event.uid),
               "X-EduPortal-Delivery": str(delivery.pk), "X-EduPortal-Attempt": str(number),
               HEADER: signature(subscription.secret, int(time.time()), body)}
    seconds = settings.WEBHOOKS_TIMEOUT_SECONDS
    timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as exc:
        return None, f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return response.status_code, "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Send a due pending delivery once and log the attempt. The row stays locked while it is sent, so a copy
    of the task (the beat task's, a redelivered message) skips it. Returns the seconds until the next attempt if
    one is due later, else None."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("event", "subscription__token__user", "subscription__token__school",
                                    "subscription__token__created_by")
                    .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
                    .first())
        if delivery is None:
            return None
        reason = _undeliverable(delivery)
        if reason:
            delivery.status, delivery.last_error, delivery.finished_at = DeliveryStatus.CANCELLED, reason, timezone.now()
            delivery.next_attempt_at = None
            delivery.save()
            return None
        number = delivery.attempts + 1
        started, clock = timezone.now(), time.monotonic()
        status_code, error = _post(delivery, number)
        duration_ms = int((time.monotonic() - clock) * 1000)
        Attempt.objects.create(delivery=delivery, number=number, started_at=started, status_code=status_code,
                               duration_ms=duration_ms, error=error[:500])
        delivery.attempts, delivery.last_status_code, delivery.last_error = number, status_code, error[:500]
        delay = None
        if not error:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (DeliveryStatus.DELIVERED,
                                                                               timezone.now(), None)
        elif number >= settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (DeliveryStatus.FAILED,
                                                                               timezone.now(), None)
        else:
            delay = backoff_seconds(number)
            delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        delivery.save()
        return delay


@transaction.atomic
def delivery_replay(*, delivery: Delivery) -> Delivery:
    """Send a finished delivery's event again to its subscription, as a new delivery (the first keeps its log;
    the event keeps its id, so a receiver that has it may drop the repeat)."""
    if delivery.status == DeliveryStatus.PENDING:
        raise AppError(_("Lần gửi này còn đang chờ gửi; chỉ gửi lại được lần gửi đã kết thúc."),
                       code="pending", status_code=409)
    replay = Delivery.objects.create(event_id=delivery.event_id, subscription_id=delivery.subscription_id,
                                     replay_of=delivery, next_attempt_at=timezone.now())
    _send_after_commit([replay.pk])
    return replay


@transaction.atomic
def subscription_ping(*, subscription: Subscription) -> Delivery:
    """A test event to this subscription only, to check the receiver and its signature check."""
    event = Event.objects.create(type=PING, data={"subscription": subscription.pk}, places=[])
    delivery = Delivery.objects.create(event=event, subscription=subscription, next_attempt_at=timezone.now())
    _send_after_commit([delivery.pk])
    return delivery


def events_prune(*, days: int | None = None) -> int:
    """Drop events older than WEBHOOKS_RETENTION_DAYS whose deliveries are all finished (their log with them)."""
    cutoff = timezone.now() - dt.timedelta(days=days or settings.WEBHOOKS_RETENTION_DAYS)
    old = Event.objects.filter(occurred_at__lt=cutoff).exclude(deliveries__status=DeliveryStatus.PENDING)
    deleted, _counts = Event.objects.filter(pk__in=old.values("pk")).delete()
    return deleted
