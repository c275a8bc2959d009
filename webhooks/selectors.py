"""Reads of the webhooks app: a token's own subscriptions and deliveries; those of a scope, for the staff page."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.scope import COUNTRY, PROVINCE, Scope

from .models import Delivery, Subscription


def subscriptions_of_token(token) -> QuerySet[Subscription]:
    return Subscription.objects.filter(token=token).order_by("-id")


def deliveries_of_token(token, *, status: str | None = None, subscription_id: int | None = None,
                        event_type: str | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(subscription__token=token).select_related("event").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if subscription_id:
        qs = qs.filter(subscription_id=subscription_id)
    if event_type:
        qs = qs.filter(event__type=event_type)
    return qs


def _tokens_within(scope: Scope) -> Q:
    """Tokens whose scope lies within `scope` (a province sees its own tokens and its schools')."""
    if scope.kind == COUNTRY:
        return Q()
    if scope.kind == PROVINCE:
        return Q(token__province_id=scope.province_code) | Q(token__school__province_id=scope.province_code)
    return Q(token__school_id=scope.school_id)


def subscriptions_in_scope(scope: Scope) -> QuerySet[Subscription]:
    return (Subscription.objects.filter(_tokens_within(scope))
            .select_related("token", "token__user", "token__school", "token__province")
            .annotate(pending=Count("deliveries", filter=Q(deliveries__status="pending")),
                      failed=Count("deliveries", filter=Q(deliveries__status="failed")))
            .order_by("-id"))


def deliveries_of_subscription(subscription: Subscription, *, status: str | None = None) -> QuerySet[Delivery]:
    qs = (Delivery.objects.filter(subscription=subscription).select_related("event")
          .prefetch_related("attempt_log").order_by("-id"))
    return qs.filter(status=status) if status else qs
