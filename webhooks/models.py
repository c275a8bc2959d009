"""Subscriptions of client systems (API tokens), the events they were sent (the outbox) and each delivery's log."""
from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """A client system's (its API token's) wish to be told of some event types at a URL. The events it is sent
    are those its token's scope covers, checked again at every delivery (a revoked token is sent nothing)."""

    token = models.ForeignKey("api.ApiToken", on_delete=models.CASCADE, related_name="webhook_subscriptions",
                              verbose_name=_("mã truy cập API"))
    url = models.CharField(_("địa chỉ nhận"), max_length=500)
    event_types = ArrayField(models.CharField(max_length=40), verbose_name=_("loại sự kiện"))
    # HMAC key shared with the receiver: kept in clear (the signature needs it), shown once when created.
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("đang dùng"), default=True)
    description = models.CharField(_("mô tả"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.event_types)})"


class Event(models.Model):
    """The outbox: one row per event that at least one subscription wanted, written in the transaction of the
    change. Its `uid` stays the same through retries and replays, so that a receiver can drop repeats."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("loại"), max_length=40)
    data = models.JSONField()
    # (school id, province code) pairs the event concerns, for the scope check at delivery time.
    places = models.JSONField(default=list)
    occurred_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["occurred_at"], name="webhooks_event_occurred_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")  # every attempt failed; a replay tries again
    CANCELLED = "cancelled", _("Đã huỷ")  # the token was revoked, the event left its scope, the subscription ended


class Delivery(models.Model):
    """One event to one subscription. Pending until an attempt gets a 2xx answer or attempts run out; due again
    at `next_attempt_at` (the beat task `webhooks.deliveries_resend` sends what is due, a crashed worker's too)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("trạng thái"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # What the beat task looks for: pending and due.
            models.Index(fields=["next_attempt_at"], name="webhooks_delivery_due_idx",
                         condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"


class Attempt(models.Model):
    """The log of one HTTP attempt of a delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_unique")]

    def __str__(self) -> str:
        return f"#{self.delivery_id}/{self.number}: {self.status_code or self.error}"
