"""Transfers between schools in the web pages: the receiving school asks, both sides follow their
requests, the sending school (or its province) releases or declines, the receiving side may cancel;
the province also sees its pupils "chờ tiếp nhận". Thin doors onto students.services transfer_*.

The pages show the other side only what identifies the pupil (name, date of birth, current school):
never the pupil code, the ID number or the rest of the record, which the receiving school sees once
the pupil is released to it."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from schools.selectors import school_for_entry

from .forms import TransferRequestForm
from .models import TransferStatus
from .selectors import students_awaiting_transfer, transfer_overdue_since, transfer_pages
from .services import transfer_cancel, transfer_decline, transfer_release, transfer_request_create

AWAITING_LIMIT = 500


@login_required
def transfer_list_view(request):
    scope = Scope.for_user(request.user)
    pages = {side: list(rows) for side, rows in transfer_pages(scope=scope).items()}
    overdue_since = transfer_overdue_since()
    for rows in pages.values():
        for t in rows:
            pending = t.status == TransferStatus.PENDING
            # What this user may do with the row (the services check it again on the answer).
            t.may_answer = pending and scope.contains_school(t.from_school)
            t.may_cancel = pending and scope.contains_school(t.to_school)
            t.overdue = pending and (t.escalated_at is not None or t.created_at < overdue_since)
            # The pupil's page, for whoever holds the pupil now (the sending side until release, then the
            # receiving side): nobody else follows a link to a record they may not see.
            t.pupil_visible = scope.contains_school(t.student.school)
    return render(request, "students/transfers/list.html", {
        "scope": scope, "outgoing": pages["outgoing"], "incoming": pages["incoming"],
        "awaiting": list(students_awaiting_transfer(scope=scope)[:AWAITING_LIMIT]),
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
