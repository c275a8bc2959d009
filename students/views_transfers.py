"""Transfers between schools in the web pages: the receiving school asks, both sides follow their
requests, the sending school (or its province) releases or declines, the receiving side may cancel;
the province also sees its pupils "chờ tiếp nhận". Thin doors onto students.services transfer_*.

The pages show the other side only what identifies the pupil (name, date of birth, current school):
never the pupil code, the ID number or the rest of the record, which the receiving school sees once
the pupil is released to it."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.names import vietnamese_order
from edu_portal.common.views import list_page
from schools.selectors import school_for_entry, scope_describe

from .forms import TransferRequestForm
from .models import TransferStatus
from .selectors import students_awaiting_transfer, transfer_overdue_since, transfer_pages
from .services import transfer_cancel, transfer_decline, transfer_release, transfer_request_create


def _transfer_columns() -> tuple[Column, ...]:
    # What identifies the pupil to the other side only (the module's docstring): no code, no ID number.
    return (
        Column(_l("Học sinh"), "pupil", tuple(vietnamese_order("student__full_name")), indexed=True,
               value=attr("student.full_name")),
        Column(_l("Ngày sinh"), "born", ("student__date_of_birth",), indexed=True, value=attr("student.date_of_birth")),
        Column(_l("Trường chuyển đi"), "from", ("from_school__name",), indexed=True, value=attr("from_school.name")),
        Column(_l("Trường tiếp nhận"), "to", ("to_school__name",), indexed=True, value=attr("to_school.name")),
        Column(_l("Khối, lớp"), "class", ("grade", "class_name"), indexed=True,
               value=lambda t, scope: f"{t.grade} · {t.class_name}"),
        Column(_l("Tình trạng"), "status", ("status",), indexed=True, value=display("status")),
        Column(_l("Đề nghị"), "asked", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Trả lời"), "answered", ("decided_at",), indexed=True, value=attr("decided_at")),
        Column(""),
    )


# A school's or a province's requests are few (hundreds a year): any column sorts.
TRANSFER_LISTS = {
    "outgoing": ListSpec(what=_l("Đề nghị chuyển đi"), columns=_transfer_columns()),
    "incoming": ListSpec(what=_l("Đề nghị chuyển đến"), columns=_transfer_columns()),
}
AWAITING_LIST = ListSpec(
    what=_l("Chờ tiếp nhận"),
    columns=(
        Column(_l("Học sinh"), "pupil", tuple(vietnamese_order()), indexed=True, value=attr("full_name")),
        Column(_l("Ngày sinh"), "born", ("date_of_birth",), indexed=True, value=attr("date_of_birth")),
        Column(_l("Trường chuyển đi"), "from", ("school__name",), indexed=True, value=attr("school.name")),
        Column(_l("Ngày rời trường"), "left", ("left_on",), indexed=True, value=attr("left_on")),
    ))


def _with_rights(scope, overdue_since):
    def complete(rows) -> None:
        for t in rows:
            pending = t.status == TransferStatus.PENDING
            # What this user may do with the row (the services check it again on the answer).
            t.may_answer = pending and scope.contains_school(t.from_school)
            t.may_cancel = pending and scope.contains_school(t.to_school)
            t.overdue = pending and (t.escalated_at is not None or t.created_at < overdue_since)
            # The pupil's page, for whoever holds the pupil now (the sending side until release, then the
            # receiving side): nobody else follows a link to a record they may not see.
            t.pupil_visible = scope.contains_school(t.student.school)
    return complete


@login_required
def transfer_list_view(request):
    """The page's three lists, each sorted, paged and exported on its own (parameters "outgoing_sort",
    "incoming_page", "awaiting_export"...)."""
    scope = Scope.for_user(request.user)
    complete = _with_rights(scope, transfer_overdue_since())
    lists = {}
    for side, queryset in transfer_pages(scope=scope).items():
        lists[side] = list_page(request, queryset=queryset, spec=TRANSFER_LISTS[side], scope=scope,
                                scope_name=scope_describe, rows_hook=complete, prefix=f"{side}_")
    lists["awaiting"] = list_page(request, queryset=students_awaiting_transfer(scope=scope), spec=AWAITING_LIST,
                                  scope=scope, scope_name=scope_describe, prefix="awaiting_")
    for answer in lists.values():
        if isinstance(answer, HttpResponseBase):
            return answer
    return render(request, "students/transfers/list.html", {
        "scope": scope, "outgoing": lists["outgoing"], "incoming": lists["incoming"], "awaiting": lists["awaiting"],
        "may_ask": scope.kind == "school",
    })


@login_required
def transfer_new_view(request):
    """"Đề nghị tiếp nhận học sinh": for the user's school (or, for a province or ministry user, the
    school of their scope named by ?school=, as they add records on its behalf)."""
    scope = Scope.for_user(request.user)
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    form = TransferRequestForm(request.POST or None, may_enter_id_numbers=scope.may_enter_id_numbers)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_request_create(scope=scope, user=request.user, to_school=school, **form.cleaned_data)
        except AppError as exc:
            fields = [f for f in exc.details if f in form.fields]
            for field in fields:
                form.add_error(field, exc.details[field])
            if not fields:
                form.add_error(None, exc.message)
        else:
            if transfer.status == TransferStatus.RELEASED:
                messages.success(request, _("Học sinh %(name)s đã được tiếp nhận: trường cũ đã ghi nhận học sinh "
                                            "chuyển đi.") % {"name": transfer.student.full_name})
            else:
                messages.success(request, _("Đã gửi đề nghị tiếp nhận học sinh %(name)s (%(school)s); chờ trường cũ "
                                            "trả lời.") % {"name": transfer.student.full_name,
                                                           "school": transfer.from_school.name})
            return redirect("students:transfers")
    return render(request, "students/transfers/form.html", {"form": form, "school": school, "scope": scope})


def _answer(request, action, success: str, **kwargs):
    scope = Scope.for_user(request.user)
    try:
        action(scope=scope, user=request.user, **kwargs)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        # Refused (the other side's button, already answered by someone else, a reason missing): the page
        # says why and shows the request as it is now.
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("students:transfers")


@login_required
@require_POST
def transfer_release_view(request, pk: int):
    return _answer(request, transfer_release, _("Đã đồng ý chuyển trường; học sinh đã chuyển sang trường tiếp nhận."),
                   transfer_id=pk)


@login_required
@require_POST
def transfer_decline_view(request, pk: int):
    return _answer(request, transfer_decline, _("Đã từ chối đề nghị chuyển trường."), transfer_id=pk,
                   reason=request.POST.get("reason", ""))


@login_required
@require_POST
def transfer_cancel_view(request, pk: int):
    return _answer(request, transfer_cancel, _("Đã huỷ đề nghị tiếp nhận."), transfer_id=pk)
