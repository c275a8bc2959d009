from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.names import vietnamese_order
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import export_requested, list_page
from schools.selectors import scope_describe, scope_parse

from . import held, selectors, services
from .forms import RunStartForm
from .models import VerificationStatus


def _run_total(run, scope):
    """The records to verify; none yet while the planner counts them (not a zero)."""
    return None if run.status == "planning" and not run.total else run.total


# The verification runs (a few a day at most): any column sorts.
RUN_LIST = ListSpec(
    what=_l("Các đợt xác thực"),
    columns=(
        Column("#", "id", ("id",), indexed=True, unique=True, value=attr("pk")),
        Column(_l("Phạm vi"), "scope", ("scope_label",), indexed=True,
               value=lambda run, scope: run.scope_label or run.scope),
        Column(_l("Trạng thái"), "status", ("status",), indexed=True, value=display("status")),
        Column(_l("Số hồ sơ"), "total", ("total",), indexed=True, css="text-end", value=_run_total),
        Column(_l("Bắt đầu"), "started", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Người bắt đầu"), "user", ("started_by__username",), indexed=True, value=attr("started_by.username")),
    ))


@login_required
def run_list_view(request):
    scope = Scope.for_user(request.user)
    if scope.kind == SCHOOL:
        # Schools do not start runs; what they need is the list of their records to fix.
        return redirect("verification:failures")
    answer = list_page(request, queryset=selectors.run_list(scope=scope), spec=RUN_LIST, scope=scope,
                       scope_name=scope_describe)
    if isinstance(answer, HttpResponseBase):
        return answer
    return render(request, "verification/run_list.html", {**answer, "form": RunStartForm(user_scope=scope), "scope": scope})


@login_required
@require_POST
def run_start_view(request):
    scope = Scope.for_user(request.user)
    form = RunStartForm(request.POST, user_scope=scope)
    if not form.is_valid():
        raise AppError(_("Phạm vi không hợp lệ."), details=form.errors)
    run = services.run_start(scope=scope_parse(form.scope_string()), started_by=request.user,
                             include_verified=form.cleaned_data["include_verified"], user_scope=scope)
    messages.success(request, _("Đã bắt đầu đợt xác thực #%(pk)s.") % {"pk": run.pk})
    return redirect("verification:run_detail", pk=run.pk)


@login_required
def run_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    run = selectors.run_get(scope=scope, pk=pk)
    return render(request, "verification/run_detail.html", {"progress": selectors.run_progress(run=run)})


@login_required
def run_progress_view(request, pk: int):
    """The progress block alone, polled by htmx while the run is active."""
    scope = Scope.for_user(request.user)
    run = selectors.run_get(scope=scope, pk=pk)
    return render(request, "verification/_progress.html", {"progress": selectors.run_progress(run=run)})


@login_required
@require_POST
def run_cancel_view(request, pk: int):
    scope = Scope.for_user(request.user)
    run = selectors.run_get(scope=scope, pk=pk)
    services.run_cancel(run=run, scope=scope)
    messages.info(request, _("Đã hủy đợt xác thực #%(pk)s.") % {"pk": run.pk})
    return redirect("verification:run_detail", pk=run.pk)


# The failures list's columns. Its own order (school, then name) already sorts the failed records of the
# scope (not an index walk), so any other order costs the same: every column sorts on every list.
FAILURE_LIST = ListSpec(
    what=_l("Hồ sơ chưa xác thực được"), id_numbers=True,
    columns=(
        Column(_l("Họ và tên"), "name", tuple(vietnamese_order()), indexed=True, value=attr("full_name")),
        Column(_l("Số định danh"), value=lambda row, scope: scope.show_id_number(row.id_number)),
        Column(_l("Ngày sinh"), "born", ("date_of_birth",), indexed=True, value=attr("date_of_birth")),
        Column(_l("Trường"), "school", ("school__name",), indexed=True, value=attr("school.name")),
        Column(_l("Trạng thái"), "status", ("verification_status",), indexed=True,
               value=display("verification_status")),
        Column(_l("Lý do và cách xử lý"), value=attr("reason")),
    ))


def _with_reasons(rows) -> None:
    for person in rows:
        person.reason = selectors.failure_reason(person)


@login_required
def failures_view(request):
    """Records in the user's scope that failed verification, each with the reason and a link."""
    scope = Scope.for_user(request.user)
    kinds = [("student", _("Học sinh")), ("staff", _("Cán bộ, giáo viên"))]
    statuses = [(s.value, s.label) for s in selectors.FAILED_STATES]
    kind = request.GET.get("kind") if request.GET.get("kind") in services.KINDS else "student"
    status = request.GET.get("status") or None
    described = [(str(_("Đối tượng")), str(dict(kinds)[kind]))]
    if status in dict(statuses):
        described.append((str(_("Trạng thái")), str(dict(statuses)[status])))
    answer = list_page(request, queryset=selectors.failed_records(scope=scope, kind=kind, status=status),
                       spec=FAILURE_LIST, scope=scope, scope_name=scope_describe, filters=described,
                       rows_hook=_with_reasons)
    if isinstance(answer, HttpResponseBase):
        return answer
    return render(request, "verification/failures.html", {
        **answer, "kind": kind, "status": status or "", "scope": scope, "statuses": statuses, "kinds": kinds,
        "detail_url": "students:detail" if kind == "student" else "teachers:detail",
        "edit_url": "students:edit" if kind == "student" else "teachers:edit",
        "VerificationStatus": VerificationStatus,
    })


@login_required
def identity_state_view(request, kind: str, pk: int):
    """The verification block of a pupil's or staff member's page alone, polled by htmx until the
    registry's answer arrives (selectors.identity_state: scope, no ID number)."""
    state = selectors.identity_state(scope=Scope.for_user(request.user), kind=kind, pk=pk)
    response = render(request, "verification/_identity_state.html", {"state": state})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def held_view(request):
    """Held ID numbers (verification/held.py): reviewers with the right settle who keeps each."""
    scope = Scope.for_user(request.user)
    if request.method == "POST":
        try:
            held.held_id_number_settle(scope=scope, kind=request.POST.get("kind", ""),
                                       pk=_int(request.POST.get("pk")), keep=request.POST.get("keep", ""))
        except AppError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xử lý số định danh trùng."))
        return redirect("verification:held")
    def audited(claims) -> None:
        # Audit (the audit app hears it): every full ID number shown or exported, both records of each claim.
        for kind, model in (("student", held.Student), ("staff", held.StaffMember)):
            shown = [c.claim for c in claims if c.kind == kind] + [c.owner for c in claims if c.kind == kind and c.owner]
            id_numbers_shown.send(sender=model, request=request, scope=scope, records=shown,
                                  exported=export_requested(request))

    answer = list_page(request, queryset=held.held_id_numbers(scope=scope), spec=HELD_LIST, scope=scope,
                       scope_name=scope_describe, rows_hook=audited)
    if not isinstance(answer, HttpResponseBase):
        answer = render(request, "verification/held.html", answer)
    answer["Cache-Control"] = "no-store"
    return answer


def _person(record) -> str:
    return f"{record.full_name} ({record.date_of_birth:%d/%m/%Y}), {record.school.name}" if record else ""


# Held ID numbers (a review queue, at most 500 of each kind, read at once): every column sorts, in memory. Only
# reviewers who see full numbers reach it (held._require_reviewer), so the numbers are shown and exported whole.
HELD_LIST = ListSpec(
    what=_l("Số định danh trùng chờ xử lý"),
    columns=(
        Column(_l("Số định danh"), "id_number", ("claim.id_number", "claim.updated_at"), indexed=True,
               value=lambda c, scope: c.claim.id_number),
        Column(_l("Loại hồ sơ"), "kind", ("kind", "claim.updated_at"), indexed=True,
               value=lambda c, scope: str(_("Học sinh") if c.kind == "student" else _("Cán bộ, giáo viên"))),
        Column(_l("Hồ sơ nhập sau (đang giữ)"), "claim", ("claim.full_name", "claim.updated_at"), indexed=True,
               value=lambda c, scope: _person(c.claim)),
        Column(_l("Giữ từ"), "since", ("claim.updated_at",), indexed=True, value=lambda c, scope: c.claim.updated_at),
        Column(_l("Hồ sơ đang có số"), "owner", ("owner.full_name", "claim.updated_at"), indexed=True,
               value=lambda c, scope: _person(c.owner)),
        Column(""),
    ))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
