"""The review queue of duplicate pupils ("Hồ sơ nghi trùng") for province and ministry staff: pairs
found by the national scan (students.duplicates), with score and evidence; "Gộp" (choosing the record
that survives), "Không phải cùng một người", and undo of a recent merge. Thin doors onto
students.duplicates; ID numbers are shown as the user's role may see them, as everywhere."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.signals import id_numbers_shown

from .duplicates import (
    duplicate_candidate_get,
    duplicate_candidates,
    duplicate_dismiss,
    merge_undo_deadline,
    student_merge,
    student_merge_undo,
)
from .models import DuplicateStatus, Student

PAGE_SIZE = 50


def _reviewer_scope(request) -> Scope:
    scope = Scope.for_user(request.user)
    if scope.kind not in (COUNTRY, PROVINCE):
        # A pair spans schools: a school's staff cannot judge it (the province of either pupil does).
        raise PermissionDenied(_("Chỉ Sở GD&ĐT và Bộ GD&ĐT xem xét hồ sơ nghi trùng."))
    return scope


@login_required
def duplicate_list_view(request):
    scope = _reviewer_scope(request)
    page = Paginator(duplicate_candidates(scope=scope), PAGE_SIZE).get_page(request.GET.get("page"))
    pupils = [p for c in page for p in (c.pupil_a, c.pupil_b) if p is not None]
    for pupil in pupils:
        # A pupil of another province is shown as the add-pupil form shows one (name, birth date,
        # gender, birthplace, school): no code, no link, the ID number masked as everywhere.
        pupil.in_scope = scope.contains_school(pupil.school)
    # Audit (the audit app hears it): full ID numbers shown, when this scope shows them in full.
    id_numbers_shown.send(sender=Student, request=request, scope=scope, records=pupils)
    recent = [c for c in duplicate_candidates(scope=scope, status=DuplicateStatus.MERGED).order_by("-decided_at")[:20]
              if merge_undo_deadline(c) > timezone.now()]
    return render(request, "students/duplicates/list.html", {"scope": scope, "page": page, "recent": recent})


@login_required
@require_POST
def duplicate_merge_view(request, pk: int):
    """"Gộp": `keep` names the record that survives (a or b)."""
    scope = _reviewer_scope(request)
    candidate = duplicate_candidate_get(scope=scope, pk=pk)
    keep, remove = candidate.pupil_a, candidate.pupil_b
    if request.POST.get("keep") == "b":
        keep, remove = remove, keep
    elif request.POST.get("keep") != "a":
        messages.error(request, _("Chọn hồ sơ được giữ lại."))
        return redirect("students:duplicates")
    try:
        student_merge(scope=scope, user=request.user, keep=keep, remove=remove)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gộp hồ sơ %(old)s vào %(new)s.") % {"old": remove.pupil_code,
                                                                          "new": keep.pupil_code})
    return redirect("students:duplicates")


@login_required
@require_POST
def duplicate_dismiss_view(request, pk: int):
    scope = _reviewer_scope(request)
    duplicate_dismiss(scope=scope, user=request.user, candidate_id=pk)
    messages.success(request, _("Đã ghi nhận: không phải cùng một người; cặp này sẽ không được đề xuất lại."))
    return redirect("students:duplicates")


@login_required
@require_POST
def duplicate_undo_view(request, pk: int):
    scope = _reviewer_scope(request)
    try:
        restored = student_merge_undo(scope=scope, user=request.user, candidate_id=pk)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hoàn tác việc gộp: hồ sơ %(code)s được khôi phục.") % {"code": restored.pupil_code})
    return redirect("students:duplicates")
