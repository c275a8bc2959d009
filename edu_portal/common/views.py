"""Pieces shared by the HTML views: scoped list pages and the health check."""
import redis
from celery import current_app
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import QuerySet
from django.forms import HiddenInput
from django.http import JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from .exports import as_of_line, export_response
from .listing import (
    EXPORT_MAX,
    LIST_PARAMS,
    PAGE_SIZES,
    ListPaginator,
    ListSpec,
    export_rows,
    header_cells,
    per_page_parse,
    sort_apply,
    sort_parse,
    too_many_message,
)
from .signals import id_numbers_shown


def describe_filters(form, data) -> list[tuple[str, str]]:
    """The filters in force, as people read them: (label, value) with a picker's choice by its name (the
    province's name, not its code). For the "as of" line and the file name of an export."""
    described = []
    for name, bound in form.fields.items():
        value = data.get(name, "")
        if name in LIST_PARAMS or value in ("", None) or isinstance(bound.widget, HiddenInput):
            # A hidden filter is the page's own (the area in the path, the scope's province): said elsewhere.
            continue
        # A picker's choices are its widget's (use_pickers); a choice filter's are the field's.
        choices = {str(k): v for k, v in _options(bound)}
        described.append((str(bound.label or name), str(choices.get(str(value), value))))
    return described


def _options(bound) -> list:
    """The choices of a filter's field: a picker's are its widget's (use_pickers); a choice filter's are the
    field's. Listed, never tested for truth: django-filter's choices from a callable have no len()."""
    for source in (getattr(bound.widget, "choices", None), getattr(bound, "choices", None)):
        options = list(source) if source is not None else []
        if options:
            return options
    return []


EXPORT_FORMATS = ("csv", "xlsx")


def export_requested(request, prefix: str = "") -> bool:
    """Does this request ask list_page for a download (?export=csv|xlsx)? For a rows_hook that audits full ID
    numbers as exported rather than shown."""
    return request.GET.get(prefix + "export") in EXPORT_FORMATS


def list_page(request, *, queryset, spec: ListSpec, scope, narrowed: bool = True, scope_name=None,
              filters=(), rows_hook=None, prefix: str = ""):
    """A list page's rows in the chosen order and page, or (?export=csv|xlsx) the same rows, all pages,
    as a download. Returns the context of the list component (templates/includes/list_*.html) or the
    response to send. `scope_name`: the scope in words (for the "as of" line); `filters`: the filters in
    force, described (describe_filters); `rows_hook(rows)` completes the rows shown or exported (e.g. a
    reason read per row); `prefix`: of this list's parameters, on a page of several lists."""
    params = {name: prefix + name for name in LIST_PARAMS}
    state = sort_parse(spec, request.GET.get(params["sort"]), narrowed=narrowed)
    queryset = sort_apply(queryset, spec, state, narrowed=narrowed)
    if export_requested(request, prefix):
        return _list_export(request, request.GET[params["export"]], queryset=queryset, spec=spec, state=state, scope=scope, params=params,
                            where=scope_name(scope) if scope_name else "", filters=filters, rows_hook=rows_hook)
    per_page = per_page_parse(request.GET.get(params["per_page"]))
    page = ListPaginator(queryset, per_page).get_page(request.GET.get(params["page"]))
    if rows_hook:
        rows_hook(page.object_list)
    if scope.can_view_id_numbers and spec.id_numbers:
        # Audit (the audit app hears it): full ID numbers on this page.
        id_numbers_shown.send(sender=queryset.model, request=request, scope=scope, records=list(page))
    query = request.GET.copy()
    query.pop(params["export"], None)
    query.pop(params["page"], None)
    return {"page": page, "query": query.urlencode(), "per_page": per_page, "page_sizes": PAGE_SIZES,
            "listing": {"headers": header_cells(spec, state, request.GET, narrowed=narrowed, prefix=prefix),
                        "sort": state, "per_page": per_page, "page_param": params["page"],
                        **_list_links(query, params, per_page)}}


def _list_links(query, params: dict, per_page: int) -> dict:
    """The page-size choices (back to page 1) and the downloads (every page: no page, no size)."""
    sizes, exports = query.copy(), query.copy()
    exports.pop(params["per_page"], None)
    size_links, export_links = [], []
    for size in PAGE_SIZES:
        sizes[params["per_page"]] = size
        size_links.append({"size": size, "url": "?" + sizes.urlencode(), "current": size == per_page})
    for key, label in (("csv", "CSV"), ("xlsx", "Excel")):
        exports[params["export"]] = key
        export_links.append({"format": key, "label": label, "url": "?" + exports.urlencode()})
    return {"sizes": size_links, "exports": export_links}


def _list_export(request, fmt: str, *, queryset, spec: ListSpec, state, scope, params: dict, where: str, filters,
                 rows_hook):
    """The list's rows, every page, as a download; beyond EXPORT_MAX back to the list with a message."""
    # Too many rows is found by their keys first (an index walk), before rows and annotations are read.
    too_many = queryset.values("pk")[EXPORT_MAX:EXPORT_MAX + 1].exists() if isinstance(queryset, QuerySet) \
        else len(queryset[:EXPORT_MAX + 1]) > EXPORT_MAX
    if too_many:
        messages.warning(request, too_many_message())
        query = request.GET.copy()
        query.pop(params["export"], None)
        return redirect(f"{request.path}?{query.urlencode()}")
    rows = list(queryset[:EXPORT_MAX])
    if rows_hook:
        rows_hook(rows)
    if scope.can_view_id_numbers and spec.id_numbers:
        # Audit (the audit app hears it): full ID numbers exported, as the API's exports are.
        id_numbers_shown.send(sender=queryset.model, request=request, scope=scope, records=rows, exported=True)
    header, values = export_rows(spec, rows, scope)
    sort_note = [(_("sắp xếp"), f"{spec.column(state.key).label} {'▼' if state.descending else '▲'}")] \
        if state.key else []
    return export_response(fmt, what=spec.what, parts=[where] + [value for _label, value in filters],
                           as_of=as_of_line(str(spec.what), scope=where, filters=list(filters) + sort_note),
                           header=header, rows=values)


def render_list(request, *, scope, selector, filterset_class, template: str, spec: ListSpec, extra: dict | None = None,
                scope_name=None):
    """Filter form + sorted, paginated list limited to `scope` (the caller's accounts.scope.Scope), or its
    export (list_page). Two queries (count and page) for any page size."""
    filters = request.GET.copy()
    filterset = filterset_class(filters)
    valid = filterset.is_valid()
    queryset = selector(scope=scope, filters=filters if valid else {})
    narrowed = spec.narrowed(scope, filters) if spec.narrowed else True
    answer = list_page(request, queryset=queryset, spec=spec, scope=scope, narrowed=narrowed, scope_name=scope_name,
                       filters=describe_filters(filterset.form, filters) if valid else [])
    if isinstance(answer, HttpResponseBase):
        return answer
    context = {"filter": filterset, "scope": scope, **answer}
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
