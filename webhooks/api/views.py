"""/api/v1/webhooks/: a client system (its API token) manages its own subscriptions and reads its deliveries.

    GET    subscriptions/                    the token's subscriptions
    POST   subscriptions/                    {"url", "event_types": [...], "description", "active"}  -> with "secret"
    GET    subscriptions/<id>/
    PATCH  subscriptions/<id>/               any of url, event_types, description, active, rotate_secret
    DELETE subscriptions/<id>/
    POST   subscriptions/<id>/ping/          a "ping" event to this subscription only
    GET    deliveries/?status=&subscription=&event_type=&before=&page_size=   newest first
    GET    deliveries/<id>/                  with the log of its attempts
    POST   deliveries/<id>/replay/           send a finished delivery's event again (a new delivery)

Any token may subscribe (read-only ones too: an event tells no more than the token may read). Another
token's subscription or delivery is not found (404).
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiToken
from edu_portal.common.api.base import check_query_params
from edu_portal.common.exceptions import AppError

from .. import selectors, services
from ..models import Delivery, DeliveryStatus, Subscription
from . import serializers as s

PAGE_SIZE, PAGE_SIZE_MAX = 50, 500


def _token(request) -> ApiToken:
    if not isinstance(request.auth, ApiToken):
        raise AppError(_("Webhook thuộc về một hệ thống kết nối: hãy gọi bằng mã truy cập API."),
                       code="token_required", status_code=403)
    return request.auth


def _valid(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _subscription(request, pk: int) -> Subscription:
    subscription = selectors.subscriptions_of_token(_token(request)).filter(pk=pk).first()
    if subscription is None:
        raise AppError(_("Không tìm thấy."), code="not_found", status_code=404)
    return subscription


def _positive_int(request, name: str, *, maximum: int = 2**63 - 1) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise AppError(_("%(name)s: số nguyên dương.") % {"name": name}, details={name: [_("Không hợp lệ.")]})
    return int(raw)


class SubscriptionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Các đăng ký webhook của mã truy cập", responses=s.SubscriptionSerializer(many=True),
                   operation_id="webhook_subscriptions")
    def get(self, request):
        check_query_params(request, set())
        rows = selectors.subscriptions_of_token(_token(request))
        return Response(s.SubscriptionSerializer(rows, many=True).data)

    @extend_schema(summary="Đăng ký webhook (khoá bí mật trả về một lần)", request=s.SubscriptionCreateSerializer,
                   responses={201: s.SubscriptionWithSecretSerializer}, operation_id="webhook_subscription_create")
    def post(self, request):
        check_query_params(request, set())
        token = _token(request)
        subscription = services.subscription_create(token=token, **_valid(s.SubscriptionCreateSerializer, request))
        return Response(s.SubscriptionWithSecretSerializer(subscription).data, status=201)


class SubscriptionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Một đăng ký webhook", responses=s.SubscriptionSerializer,
                   operation_id="webhook_subscription")
    def get(self, request, pk: int):
        check_query_params(request, set())
        return Response(s.SubscriptionSerializer(_subscription(request, pk)).data)

    @extend_schema(summary="Sửa đăng ký webhook", request=s.SubscriptionUpdateSerializer,
                   responses=s.SubscriptionWithSecretSerializer, operation_id="webhook_subscription_update")
    def patch(self, request, pk: int):
        check_query_params(request, set())
        subscription = _subscription(request, pk)
        changes = _valid(s.SubscriptionUpdateSerializer, request, partial=True)
        subscription = services.subscription_update(subscription=subscription, **changes)
        serializer = s.SubscriptionWithSecretSerializer if changes.get("rotate_secret") else s.SubscriptionSerializer
        return Response(serializer(subscription).data)

    @extend_schema(summary="Xoá đăng ký webhook", responses={204: None}, operation_id="webhook_subscription_delete")
    def delete(self, request, pk: int):
        check_query_params(request, set())
        services.subscription_delete(subscription=_subscription(request, pk))
        return Response(status=204)


class PingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Gửi sự kiện thử \"ping\" tới đăng ký này", request=None, responses={202: s.DeliverySerializer},
                   operation_id="webhook_ping")
    def post(self, request, pk: int):
        check_query_params(request, set())
        delivery = services.subscription_ping(subscription=_subscription(request, pk))
        return Response(s.DeliverySerializer(delivery).data, status=202)


class DeliveryListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Các lần gửi webhook của mã truy cập (mới nhất trước)", responses=s.DeliveryPageSerializer,
                   operation_id="webhook_deliveries", parameters=[
                       OpenApiParameter("status", str, enum=DeliveryStatus.values),
                       OpenApiParameter("subscription", int), OpenApiParameter("event_type", str),
                       OpenApiParameter("before", int, description="id: trang tiếp theo (xem next)"),
                       OpenApiParameter("page_size", int, description=f"tối đa {PAGE_SIZE_MAX}")])
    def get(self, request):
        check_query_params(request, {"status", "subscription", "event_type", "before", "page_size"})
        status = request.query_params.get("status")
        if status is not None and status not in DeliveryStatus.values:
            raise AppError(_("status: một trong %(values)s.") % {"values": ", ".join(DeliveryStatus.values)},
                           details={"status": [_("Không hợp lệ.")]})
        size = _positive_int(request, "page_size", maximum=PAGE_SIZE_MAX) or PAGE_SIZE
        before = _positive_int(request, "before")
        rows = selectors.deliveries_of_token(_token(request), status=status,
                                             subscription_id=_positive_int(request, "subscription"),
                                             event_type=request.query_params.get("event_type"))
        if before:
            rows = rows.filter(pk__lt=before)
        page = list(rows[:size + 1])
        next_url = None
        if len(page) > size:
            page = page[:size]
            query = request.query_params.copy()
            query["before"] = str(page[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": s.DeliverySerializer(page, many=True).data, "next": next_url})


def _delivery(request, pk: int) -> Delivery:
    delivery = (selectors.deliveries_of_token(_token(request)).prefetch_related("attempt_log").filter(pk=pk).first())
    if delivery is None:
        raise AppError(_("Không tìm thấy."), code="not_found", status_code=404)
    return delivery


class DeliveryDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Một lần gửi webhook và nhật ký các lần thử", responses=s.DeliveryDetailSerializer,
                   operation_id="webhook_delivery")
    def get(self, request, pk: int):
        check_query_params(request, set())
        return Response(s.DeliveryDetailSerializer(_delivery(request, pk)).data)


class ReplayView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Gửi lại sự kiện của một lần gửi đã kết thúc", request=None,
                   responses={202: s.DeliverySerializer}, operation_id="webhook_replay")
    def post(self, request, pk: int):
        check_query_params(request, set())
        replay = services.delivery_replay(delivery=_delivery(request, pk))
        return Response(s.DeliverySerializer(replay).data, status=202)
