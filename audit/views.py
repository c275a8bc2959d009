import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .describe import describe
from .filtersets import AuditEventFilterSet
from .models import CHANGE_ACTIONS, VIEW_ACTIONS
from .permissions import may_read_trail
from .selectors import LOGS, actor_choices, event_list, masked

PER_PAGE = 50
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


@login_required
def event_list_view(request):
    """The trail for people: the change log (default) or, on its own tab, who saw full ID numbers."""
    _ministry_only(request.user)
    log = request.GET.get("log") if request.GET.get("log") in LOGS else "changes"
    filterset = AuditEventFilterSet(request.GET)
    actions = CHANGE_ACTIONS if log == "changes" else VIEW_ACTIONS
    filterset.form.fields["action"].choices = [("", _("Tất cả"))] + [(a.value, a.label) for a in actions]
    valid = filterset.is_valid()
    if request.GET.get("format") == "csv":
        if not valid:  # a bad date is not "no date": refuse rather than export everything
            return HttpResponseBadRequest(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
        response = StreamingHttpResponse(_csv_rows(event_list(filters=request.GET, log=log)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-{timezone.localdate():%Y%m%d}.csv"'
        return response
    # Filters that do not make sense (a date typed wrongly) are shown with their message and no rows:
    # ignoring them would show every event as if it matched.
    queryset = event_list(filters=request.GET, log=log) if valid else event_list(log=log).none()
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    tabs = request.GET.copy()
    for name in ("page", "format", "log", "action"):
        tabs.pop(name, None)
    return render(request, "audit/event_list.html", {
        "filter": filterset, "page": page, "events": describe(list(page)), "query": query.urlencode(),
        "log": log, "tab_query": tabs.urlencode(), "invalid": not valid, "actor_choices": actor_choices()})
