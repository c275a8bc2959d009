"""The staff page: ministry and province users see the subscriptions of the client systems in their scope, each
subscription's deliveries with their attempts, and send a finished delivery again."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.views import list_page
from schools.selectors import scope_describe

from . import selectors, services
from .models import Delivery, DeliveryStatus


def _staff_scope(user) -> Scope:
    """The ministry and the provinces' departments oversee client systems; a school has none of its own here."""
    if not (user.is_superuser or user.role in (Role.MINISTRY, Role.PROVINCE)):
        raise PermissionDenied(_("Chỉ cán bộ cấp Bộ hoặc Sở được xem webhook."))
    return Scope.for_user(user)


def _active(subscription, scope) -> str:
    return str(_("Đang dùng") if subscription.active else _("Tạm dừng"))


# The client systems' subscriptions (one or a few per token): any column sorts.
SUBSCRIPTION_LIST = ListSpec(
    what=_l("Đăng ký webhook"),
    columns=(
        Column(_l("Mã truy cập"), "token", ("token__name",), indexed=True, value=attr("token.name")),
        Column(_l("Tiền tố"), value=attr("token.key_prefix"), screen=False),
        Column(_l("Phạm vi"), value=lambda s, scope: s.token.scope_in_words()),
        Column(_l("Địa chỉ nhận"), "url", ("url",), indexed=True, value=attr("url")),
        Column(_l("Loại sự kiện"), value=lambda s, scope: ", ".join(s.event_types)),
        Column(_l("Trạng thái"), "active", ("active",), indexed=True, value=_active),
        Column(_l("Đang chờ gửi"), "pending", ("pending",), indexed=True, value=attr("pending"), css="text-end"),
        Column(_l("Gửi không được"), "failed", ("failed",), indexed=True, value=attr("failed"), css="text-end"),
        Column(_l("Tạo lúc"), "created", ("created_at",), indexed=True, value=attr("created_at")),
    ))


@login_required
def subscription_list_view(request):
    scope = _staff_scope(request.user)
    answer = list_page(request, queryset=selectors.subscriptions_in_scope(scope), spec=SUBSCRIPTION_LIST, scope=scope,
                       scope_name=scope_describe)
    if isinstance(answer, HttpResponseBase):
        return answer
    return render(request, "webhooks/subscription_list.html", answer)


def _attempts(delivery, scope) -> str:
    return "; ".join(f"{a.number}: {a.status_code or '—'} ({a.duration_ms} ms){' ' + a.error if a.error else ''}"
                     for a in delivery.attempt_log.all())


# A subscription's deliveries (kept WEBHOOKS_RETENTION_DAYS): few enough to sort by any column.
DELIVERY_LIST = ListSpec(
    what=_l("Lần gửi webhook"),
    columns=(
        Column("#", "id", ("id",), indexed=True, unique=True, value=attr("pk")),
        Column(_l("Sự kiện"), "event", ("event__type",), indexed=True, value=attr("event.type")),
        Column(_l("Lúc"), "time", ("event__occurred_at",), indexed=True, value=attr("event.occurred_at")),
        Column(_l("Trạng thái"), "status", ("status",), indexed=True, value=display("status")),
        Column(_l("Các lần thử"), value=_attempts),
        Column(""),
    ))


@login_required
def subscription_detail_view(request, pk: int):
    scope = _staff_scope(request.user)
    subscription = get_object_or_404(selectors.subscriptions_in_scope(scope), pk=pk)
    status = request.GET.get("status") or None
    if status not in (None, *DeliveryStatus.values):
        status = None
    described = [(str(_("Mã truy cập API")), f"{subscription.token.name} {subscription.token.key_prefix}")]
    if status:
        described.append((str(_("Trạng thái")), str(DeliveryStatus(status).label)))
    answer = list_page(request, queryset=selectors.deliveries_of_subscription(subscription, status=status),
                       spec=DELIVERY_LIST, scope=scope, scope_name=scope_describe, filters=described)
    if isinstance(answer, HttpResponseBase):
        return answer
    return render(request, "webhooks/subscription_detail.html", {
        **answer, "subscription": subscription, "status": status or "", "statuses": DeliveryStatus.choices})


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
