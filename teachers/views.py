from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import fix_reasons
from edu_portal.common.listing import Column, ListSpec, attr, display, narrowed_to_commune
from edu_portal.common.names import vietnamese_order, vietnamese_order_by_sorting
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import list_page, person_edit_answer, render_list
from schools.selectors import place_pickers, school_for_entry, scope_describe

from .filtersets import StaffFilterSet
from .forms import ReassignmentDeclineForm, ReassignmentRequestForm, StaffForm
from .models import ReassignmentStatus
from .selectors import staff_get, staff_in_transit, staff_list, staff_missing_reasons, staff_reassignment_list
from .services import (
    staff_create,
    staff_reassignment_cancel,
    staff_reassignment_decline,
    staff_reassignment_release,
    staff_reassignment_request,
    staff_update,
)

ROW_FIELDS = ("staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
              "main_subject", "qualification", "training_field", "pedagogy_certificate", "employment_status")


def _list_filterset(scope: Scope, data):
    """The one StaffFilterSet, its form shown with pickers (places and schools by name, no codes)."""
    filterset = StaffFilterSet(data)
    filterset.use_pickers(place_pickers(scope=scope, province=data.get("province", ""),
                                        commune=data.get("commune", ""), school=data.get("school", "")),
                          hidden=("school_code",), search={"school": reverse("schools:pick")})
    return filterset


# The staff list's columns: by code or name (indexed) anywhere, by the others on a school's or a commune's list.
STAFF_LIST = ListSpec(
    what=_l("Cán bộ, giáo viên"), id_numbers=True, narrowed=narrowed_to_commune,
    columns=(
        Column(_l("Mã cán bộ"), "code", ("staff_code",), indexed=True, unique=True, value=attr("staff_code")),
        Column(_l("Họ và tên"), "name", tuple(vietnamese_order()), indexed=True,
               narrowed_order=tuple(vietnamese_order_by_sorting()), value=attr("full_name")),
        Column(_l("Số định danh"), value=lambda row, scope: scope.show_id_number(row.id_number)),
        Column(_l("Ngày sinh"), "born", ("date_of_birth",), value=attr("date_of_birth")),
        Column(_l("Chức vụ"), "position", ("position",), value=display("position")),
        Column(_l("Trình độ"), "qualification", ("qualification",), value=display("qualification")),
        Column(_l("Đạt chuẩn"), "standard", ("meets_qualification_standard",),
               value=attr("meets_qualification_standard")),
        Column(_l("Trường"), "school", ("school__name",), value=attr("school.name")),
        Column(_l("Xác thực"), "verification", ("verification_status",), value=display("verification_status")),
    ))


@login_required
def staff_list_view(request):
    scope = Scope.for_user(request.user)
    return render_list(request, scope=scope, selector=staff_list, template="teachers/staff_list.html",
                       filterset_class=lambda data: _list_filterset(scope, data), spec=STAFF_LIST,
                       scope_name=scope_describe)


@login_required
def staff_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    staff = staff_get(scope=scope, pk=pk)
    # Audit (the audit app hears it): a full ID number shown, when this scope shows it in full.
    id_numbers_shown.send(sender=type(staff), request=request, scope=scope, records=[staff])
    return render(request, "teachers/staff_detail.html",
                  {"staff": staff, "scope": scope, "in_transit": staff_in_transit(staff=staff)})


@login_required
def staff_new_view(request):
    """"Thêm cán bộ" at the user's school (or, for a province or ministry user, at the school of their
    scope named by ?school=, as an upload on its behalf)."""
    scope = Scope.for_user(request.user)
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    form = StaffForm(request.POST or None, scope=scope, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            staff = staff_create(scope=scope, school=school, **form.service_kwargs)
        except AppError as exc:
            if exc.status_code == 404:
                raise
            form.add_app_error(exc)
        else:
            messages.success(request, _("Đã thêm cán bộ %(name)s.") % {"name": staff.full_name})
            return redirect("teachers:detail", pk=staff.pk)
    return render(request, "teachers/staff_form.html", {"form": form, "school": school, "scope": scope})


@login_required
def staff_edit_view(request, pk: int):
    """"Sửa cán bộ": a change to the identity re-queues verification; the training standard follows."""
    scope = Scope.for_user(request.user)
    staff = staff_get(scope=scope, pk=pk)
    form = StaffForm(request.POST or None, scope=scope, school=staff.school, record=staff,
                     current_row={key: getattr(staff, key) for key in ROW_FIELDS})
    if request.method == "POST" and form.is_valid():
        outcome = form.save_edit(lock=lambda: staff_get(scope=scope, pk=pk, for_update=True),
                                 save=lambda locked: staff_update(scope=scope, staff=locked, **form.service_kwargs))
        answer = person_edit_answer(request, outcome, detail="teachers:detail", pk=staff.pk)
        if answer is not None:
            return answer
        staff = form.record
    # What the to-do list sent the user here to fix, on top of the form.
    reasons = fix_reasons(staff, missing=staff_missing_reasons(scope=scope, staff=staff),
                          may_see_id_numbers=scope.can_view_id_numbers)
    return render(request, "teachers/staff_form.html",
                  {"form": form, "school": staff.school, "staff": staff, "scope": scope, "stale": form.stale,
                   "fix_reasons": reasons})


# --- reassignments between schools (điều chuyển công tác) ----------------------------------------------

def _reassignment_columns() -> tuple[Column, ...]:
    return (
        Column(_l("Cán bộ"), "staff", tuple(vietnamese_order("staff__full_name")), indexed=True,
               value=attr("staff.full_name")),
        Column(_l("Ngày sinh"), "born", ("staff__date_of_birth",), indexed=True, value=attr("staff.date_of_birth")),
        Column(_l("Trường chuyển đi"), "from", ("from_school__name",), indexed=True, value=attr("from_school.name")),
        Column(_l("Trường tiếp nhận"), "to", ("to_school__name",), indexed=True, value=attr("to_school.name")),
        Column(_l("Chức vụ ở trường tiếp nhận"), "position", ("position",), indexed=True, value=display("position")),
        Column(_l("Ngày đề nghị"), "asked", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Tình trạng"), "status", ("status",), indexed=True, value=display("status")),
        Column(""),
    )


# A school's or a province's requests are few (newest first by default): any column sorts.
REASSIGNMENT_LISTS = {
    "outgoing": ListSpec(what=_l("Đề nghị điều chuyển cán bộ đi"), columns=_reassignment_columns()),
    "incoming": ListSpec(what=_l("Đề nghị điều chuyển cán bộ về trường"), columns=_reassignment_columns()),
}


@login_required
def staff_reassignments_view(request):
    """"Điều chuyển công tác": a school asks for a member (the form), and lists what it asked for (incoming)
    and what is asked of it (outgoing) with the answers it may give; a province sees its schools' requests
    and answers for the sending ones."""
    scope = Scope.for_user(request.user)
    form = ReassignmentRequestForm(request.POST or None) if scope.kind == "school" else None
    if request.method == "POST":
        if form is None:
            raise NotInScope()  # only a school asks (a province names no receiving school here)
        if form.is_valid():
            try:
                school = school_for_entry(scope=scope, pk=None)
                reassignment = staff_reassignment_request(scope=scope, user=request.user, to_school=school,
                                                          **form.cleaned_data)
            except NotInScope:
                raise
            except AppError as exc:
                fields = [f for f in exc.details if f in form.fields]
                for field in fields:
                    form.add_error(field, exc.details[field])
                if not fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã gửi đề nghị điều chuyển cán bộ %(name)s; chờ %(school)s trả lời.")
                                 % {"name": reassignment.staff.full_name, "school": reassignment.from_school.name})
                return redirect("teachers:reassignments")
    status = request.GET.get("status") or ""
    if status not in ReassignmentStatus.values:
        status = ""
    rows = staff_reassignment_list(scope=scope, status=status or None).select_related("staff__school")

    def complete(page_rows) -> None:
        for row in page_rows:
            # The member's page opens only to a scope holding their school now.
            row.can_open = scope.contains_school(row.staff.school)

    described = [(str(_("Tình trạng")), str(ReassignmentStatus(status).label))] if status else []
    # The two sides, each a list of the list component (parameters "outgoing_sort", "incoming_page"...).
    lists = {side: list_page(request, queryset=rows.filter(scope.q(field)), spec=REASSIGNMENT_LISTS[side],
                             scope=scope, scope_name=scope_describe, filters=described, rows_hook=complete,
                             prefix=f"{side}_")
             for side, field in (("outgoing", "from_school"), ("incoming", "to_school"))}
    for answer in lists.values():
        if isinstance(answer, HttpResponseBase):
            return answer
    return render(request, "teachers/reassignments.html", {
        "scope": scope, "form": form, "status": status, "statuses": ReassignmentStatus.choices,
        "outgoing": lists["outgoing"], "incoming": lists["incoming"], "decline_form": ReassignmentDeclineForm()})


def _answer(request, action, pk: int, done: str, **kwargs):
    """Run one answer to a request; a refusal (already answered, not this side's to give) is a message
    on the reassignments page; a request outside the scope does not exist (404)."""
    scope = Scope.for_user(request.user)
    try:
        reassignment = action(scope=scope, user=request.user, reassignment_id=pk, **kwargs)
    except NotInScope:
        raise
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"name": reassignment.staff.full_name})
    return redirect("teachers:reassignments")


@login_required
@require_POST
def staff_reassignment_release_view(request, pk: int):
    return _answer(request, staff_reassignment_release, pk,
                   _("Đã đồng ý điều chuyển cán bộ %(name)s; cán bộ đã chuyển sang trường tiếp nhận."))


@login_required
@require_POST
def staff_reassignment_decline_view(request, pk: int):
    form = ReassignmentDeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _answer(request, staff_reassignment_decline, pk, _("Đã từ chối đề nghị điều chuyển cán bộ %(name)s."),
                   reason=reason)


@login_required
@require_POST
def staff_reassignment_cancel_view(request, pk: int):
    return _answer(request, staff_reassignment_cancel, pk, _("Đã huỷ đề nghị điều chuyển cán bộ %(name)s."))
