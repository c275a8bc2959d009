import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role

from .filtersets import AuditEventFilterSet
from .selectors import event_list, masked, usernames

PER_PAGE = 50
CSV_COLUMNS = ["id", "occurred_at", "actor_id", "actor", "door", "token_id", "request_id", "action", "model",
               "record_id", "record_ids", "changed_fields", "before", "after", "token_owner", "token_issuer"]


def _ministry_only(user) -> None:
    if not (user.role == Role.MINISTRY or user.is_superuser):
        raise PermissionDenied("Chỉ người dùng cấp Bộ được xem nhật ký truy cập.")


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
    _ministry_only(request.user)
    filterset = AuditEventFilterSet(request.GET)
    filters = request.GET if filterset.is_valid() else {}
    queryset = event_list(filters=filters)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(_csv_rows(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-{timezone.localdate():%Y%m%d}.csv"'
        return response
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    events = list(page)
    names = usernames(events)
    for e in events:
        e.before_shown, e.after_shown = masked(e.before), masked(e.after)
        e.user_name = names.get(e.actor_id, "")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "audit/event_list.html", {"filter": filterset, "page": page, "events": events,
                                                     "query": query.urlencode()})
