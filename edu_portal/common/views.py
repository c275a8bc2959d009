"""Pieces shared by the HTML views: scoped list pages and the health check."""
import redis
from celery import current_app
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from .signals import id_numbers_shown

PAGE_SIZES = (25, 50, 100)


def render_list(request, *, scope, selector, filterset_class, template: str, extra: dict | None = None):
    """Filter form + paginated, list limited to `scope` (the caller's accounts.scope.Scope). Two
    queries (count and page) for any page size."""
    filters = request.GET.copy()
    filterset = filterset_class(filters)
    queryset = selector(scope=scope, filters=filters if filterset.is_valid() else {})
    try:
        per_page = int(request.GET.get("per_page", 25))
    except ValueError:
        per_page = 25
    per_page = per_page if per_page in PAGE_SIZES else 25
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    if scope.can_view_id_numbers and any(f.name == "id_number" for f in queryset.model._meta.fields):
        # Audit (the audit app hears it): full ID numbers on this page.
        id_numbers_shown.send(sender=queryset.model, request=request, scope=scope, records=list(page))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "scope": scope, "query": query.urlencode(),
               "per_page": per_page, "page_sizes": PAGE_SIZES}
    context.update(extra or {})
    return render(request, template, context)


def person_edit_answer(request, outcome: str, *, detail: str, pk: int):
    """The answer to PersonForm.save_edit's outcome on a pupil's or staff member's edit page: back to the
    record's page with a message, or None when the edit was refused (the form says why)."""
    if outcome == "unchanged":
        messages.info(request, _("Không có thay đổi nào."))
    elif outcome == "saved":
        messages.success(request, _("Đã lưu thay đổi. Nếu thông tin định danh thay đổi, hồ sơ được gửi xác thực "
                                    "lại; kết quả hiện trên trang này khi có."))
    else:
        return None
    return redirect(detail, pk=pk)


def healthz(request):
    """JSON state of the database, Redis and the Celery workers (for load balancers and operators)."""
    state = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        state["database"] = f"error: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        state["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        state["redis"] = f"error: {exc.__class__.__name__}"
    try:
        # The project's Celery app is the current one (edu_portal/celery.py is loaded at start).
        replies = current_app.control.inspect(timeout=0.5).ping() or {}
        state["celery_workers"] = len(replies)
    except Exception as exc:  # noqa: BLE001
        state["celery_workers"] = f"error: {exc.__class__.__name__}"
    healthy = state["database"] == "ok" and state["redis"] == "ok"
    state["status"] = "ok" if healthy else "degraded"
    return JsonResponse(state, status=200 if healthy else 503)


def favicon(request):
    """Browsers ask for /favicon.ico by themselves (on files, JSON and error pages too, which carry no <link
    rel="icon">): send them to the portal's icon rather than a 404 in every log."""
    return redirect(static("favicon.svg"), permanent=True)
