"""The staff page: ministry and province users see the subscriptions of the client systems in their scope, each
subscription's deliveries with their attempts, and send a finished delivery again."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError

from . import selectors, services
from .models import Delivery, DeliveryStatus

DELIVERIES_SHOWN = 200


def _staff_scope(user) -> Scope:
    """The ministry and the provinces' departments oversee client systems; a school has none of its own here."""
    if not (user.is_superuser or user.role in (Role.MINISTRY, Role.PROVINCE)):
        raise PermissionDenied(_("Chỉ cán bộ cấp Bộ hoặc Sở được xem webhook."))
    return Scope.for_user(user)


@login_required
def subscription_list_view(request):
    scope = _staff_scope(request.user)
    subscriptions = selectors.subscriptions_in_scope(scope)[:500]
    return render(request, "webhooks/subscription_list.html", {"subscriptions": subscriptions})


@login_required
def subscription_detail_view(request, pk: int):
    scope = _staff_scope(request.user)
    subscription = get_object_or_404(selectors.subscriptions_in_scope(scope), pk=pk)
    status = request.GET.get("status") or None
    if status not in (None, *DeliveryStatus.values):
        status = None
    deliveries = selectors.deliveries_of_subscription(subscription, status=status)[:DELIVERIES_SHOWN]
    return render(request, "webhooks/subscription_detail.html", {
        "subscription": subscription, "deliveries": deliveries, "status": status or "",
        "statuses": DeliveryStatus.choices, "shown": DELIVERIES_SHOWN})


@login_required
@require_POST
def delivery_replay_view(request, pk: int):
    scope = _staff_scope(request.user)
    delivery = get_object_or_404(Delivery.objects.filter(subscription__in=selectors.subscriptions_in_scope(scope)
                                                         .values("pk")), pk=pk)
    try:
        replay = services.delivery_replay(delivery=delivery)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xếp lịch gửi lại (lần gửi #%(id)s).") % {"id": replay.pk})
    return redirect("webhooks:detail", pk=delivery.subscription_id)
