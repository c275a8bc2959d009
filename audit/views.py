import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.scope import Scope
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.views import describe_filters, export_requested, list_page
from schools.selectors import scope_describe

from .describe import describe
from .filtersets import AuditEventFilterSet
from .models import CHANGE_ACTIONS, VIEW_ACTIONS
from .permissions import may_read_trail
from .selectors import LOGS, actor_choices, event_list, masked

# ?format=csv: the raw trail for machines and auditors' tools (every column, before/after as masked JSON);
# the page's own downloads (?export=csv|xlsx) hold what is on screen, in words (the list component).
CSV_COLUMNS = ["id", "occurred_at", "actor_id", "actor", "door", "token_id", "request_id", "action", "model",
               "record_id", "record_ids", "changed_fields", "before", "after", "token_owner", "token_issuer"]


def _ministry_only(user) -> None:
    if not may_read_trail(user):
        raise PermissionDenied("Chỉ người dùng cấp Bộ được xem nhật ký thay đổi.")


class _Echo:
    def write(self, value):
        return value


def _csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # BOM: Excel opens the Vietnamese text as UTF-8
    for e in queryset.iterator(chunk_size=2000):
        yield writer.writerow([
            e.pk, timezone.localtime(e.occurred_at).isoformat(), e.actor_id or "", e.actor, e.door, e.token_id or "",
            e.request_id, e.action, e.model, e.record_id or "", " ".join(map(str, e.record_ids or [])),
            " ".join(e.changed_fields or []),
            json.dumps(masked(e.before), ensure_ascii=False) if e.before is not None else "",
            json.dumps(masked(e.after), ensure_ascii=False) if e.after is not None else "",
            e.token_owner or "", e.token_issuer or "",
        ])


def _changes_text(view) -> str:
    """The "changes" cell in words (templates/audit/_change.html), ID numbers masked as there (describe)."""
    if view.event.action == "update":
        return "; ".join(f"{c.label}: {c.before} → {c.after}" for c in view.changes)
    if view.count > 1:
        return "; ".join(view.names)
    return "; ".join(f"{c.label}: {c.after}" for c in view.changes)


def _actor_text(view) -> str:
    return f"{view.actor} ({view.actor_detail})" if view.actor_detail else view.actor


def _event_spec(log: str) -> ListSpec:
    """The trail as a list: sorted by time through the primary key (events are numbered as they happen: the
    id is the trail's index), the other columns in words (audit.describe, set on each row by _described)."""
    return ListSpec(
        what=_l("Ai đã xem số định danh") if log == "views" else _l("Nhật ký thay đổi"),
        columns=(
            Column(_l("Thời điểm"), "time", ("id",), indexed=True, unique=True, value=attr("occurred_at")),
            Column(_l("Người thực hiện"), value=lambda e, scope: _actor_text(e.view)),
            Column(_l("Kênh"), value=display("door"), screen=False),
            Column(_l("Mã yêu cầu"), value=attr("request_id"), screen=False),
            Column(_l("Hành động"), value=lambda e, scope: str(e.view.action), screen=False),
            Column(_l("Hồ sơ"), value=lambda e, scope: e.view.record),
            Column(_l("Xem gì") if log == "views" else _l("Thay đổi"), value=lambda e, scope: _changes_text(e.view)),
        ))


EVENT_LISTS = {log: _event_spec(log) for log in LOGS}


def _described(events) -> None:
    for event, view in zip(events, describe(list(events)), strict=True):
        event.view = view


@login_required
def event_list_view(request):
    """The trail for people: the change log (default) or, on its own tab, who saw full ID numbers."""
    _ministry_only(request.user)
    log = request.GET.get("log") if request.GET.get("log") in LOGS else "changes"
    filterset = AuditEventFilterSet(request.GET)
    actions = CHANGE_ACTIONS if log == "changes" else VIEW_ACTIONS
    filterset.form.fields["action"].choices = [("", _("Tất cả"))] + [(a.value, a.label) for a in actions]
    valid = filterset.is_valid()
    exporting = request.GET.get("format") == "csv" or export_requested(request)
    if exporting and not valid:  # a bad date is not "no date": refuse rather than export everything
        return HttpResponseBadRequest(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(_csv_rows(event_list(filters=request.GET, log=log)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-{timezone.localdate():%Y%m%d}.csv"'
        return response
    # Filters that do not make sense (a date typed wrongly) are shown with their message and no rows:
    # ignoring them would show every event as if it matched.
    queryset = event_list(filters=request.GET, log=log) if valid else event_list(log=log).none()
    filters = [(label, value) for label, value in describe_filters(filterset.form, request.GET)
               if label != str(filterset.form.fields["log"].label)] if valid else []
    answer = list_page(request, queryset=queryset, spec=EVENT_LISTS[log], scope=Scope.for_user(request.user),
                       scope_name=scope_describe, filters=filters, rows_hook=_described)
    if isinstance(answer, HttpResponseBase):
        return answer
    tabs = request.GET.copy()
    for name in ("page", "format", "export", "log", "action"):
        tabs.pop(name, None)
    return render(request, "audit/event_list.html", {
        "filter": filterset, "events": [e.view for e in answer["page"]], "log": log, "tab_query": tabs.urlencode(),
        "invalid": not valid, "actor_choices": actor_choices(), **answer})
