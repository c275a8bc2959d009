"""Pieces shared by the HTML views: scoped list pages and the health check."""
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from accounts.scope import Scope

PAGE_SIZES = (25, 50, 100)


def render_list(request, *, selector, filterset_class, template: str, extra: dict | None = None):
    """Filter form + paginated, scope-limited list. Two queries (count and page) for any page size."""
    scope = Scope.for_user(request.user)
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
        from audit.services import id_numbers_shown

        id_numbers_shown(request=request, scope=scope, records=page)  # audit: full ID numbers on this page
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "scope": scope, "query": query.urlencode(),
               "per_page": per_page, "page_sizes": PAGE_SIZES}
    context.update(extra or {})
    return render(request, template, context)


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
        import redis
        from django.conf import settings

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        state["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        state["redis"] = f"error: {exc.__class__.__name__}"
    try:
        from edu_portal.celery import app

        replies = app.control.inspect(timeout=0.5).ping() or {}
        state["celery_workers"] = len(replies)
    except Exception as exc:  # noqa: BLE001
        state["celery_workers"] = f"error: {exc.__class__.__name__}"
    healthy = state["database"] == "ok" and state["redis"] == "ok"
    state["status"] = "ok" if healthy else "degraded"
    return JsonResponse(state, status=200 if healthy else 503)
