"""The review queue of duplicate pupils ("Hồ sơ nghi trùng") for province and ministry staff: pairs
found by the national scan (students.duplicates), with score and evidence; "Gộp" (choosing the record
that survives), "Không phải cùng một người", and undo of a recent merge. Thin doors onto
students.duplicates; ID numbers are shown as the user's role may see them, as everywhere."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import export_requested, list_page
from schools.selectors import scope_describe

from .duplicates import (
    duplicate_candidate_get,
    duplicate_candidates,
    duplicate_dismiss,
    merge_undo_deadline,
    student_merge,
    student_merge_undo,
)
from .models import DuplicateStatus, Student


def _evidence(candidate, scope) -> str:
    """The evidence column in words, as the page shows it."""
    ev = candidate.evidence or {}
    parts = []
    if ev.get("id_number"):
        parts.append(_("cùng số định danh"))
    if ev.get("id_number_typo"):
        parts.append(_("số định danh lệch một chữ số"))
    parts.append(f"{_('tên giống')} {float(ev.get('name') or 0):.2f}")
    parts.append({"same": _("cùng ngày sinh"), "swapped": _("ngày sinh đảo ngày/tháng")}.get(
        ev.get("date_of_birth"), _("ngày sinh khác")))
    parts.append({"same": _("cùng nơi sinh"), "different": _("nơi sinh khác")}.get(
        ev.get("birthplace"), _("thiếu nơi sinh")))
    return "; ".join(parts)


def _pupil_columns(side: str, label) -> tuple[Column, ...]:
    """A pupil of the pair in the export, as the page shows it: a pupil of another province without its
    code (pupil.in_scope, set by _pupils_shown), the ID number as the scope may see it."""
    def pupil(row):
        return getattr(row, f"pupil_{side}")

    def value(get):
        return lambda row, scope: None if pupil(row) is None else get(pupil(row), scope)

    return (
        Column(label),  # the page's cell: name, code, birth, ID number, school
        Column(format_lazy("{}: {}", label, _l("Họ và tên")), screen=False, value=value(lambda p, s: p.full_name)),
        Column(format_lazy("{}: {}", label, _l("Mã học sinh")), screen=False,
               value=value(lambda p, s: p.pupil_code if p.in_scope else "(" + _("tỉnh khác") + ")")),
        Column(format_lazy("{}: {}", label, _l("Ngày sinh")), screen=False, value=value(lambda p, s: p.date_of_birth)),
        Column(format_lazy("{}: {}", label, _l("Giới tính")), screen=False,
               value=value(lambda p, s: p.get_gender_display())),
        Column(format_lazy("{}: {}", label, _l("Nơi sinh")), screen=False,
               value=value(lambda p, s: p.birth_province.name if p.birth_province_id else "")),
        Column(format_lazy("{}: {}", label, _l("Số định danh")), screen=False,
               value=value(lambda p, s: s.show_id_number(p.id_number))),
        Column(format_lazy("{}: {}", label, _l("Trường")), screen=False, value=value(lambda p, s: p.school.name)),
    )


# The queue is small (pairs found by the scan, a province's share of them): every column sorts. ID numbers
# are audited by _pupils_shown (the records shown are the pupils, not the pairs), so not id_numbers=True.
DUPLICATE_LIST = ListSpec(
    what=_l("Hồ sơ nghi trùng"),
    columns=(
        Column(_l("Điểm"), "score", ("score",), indexed=True, css="text-end", value=attr("score")),
        Column(_l("Phát hiện lúc"), "found", ("found_at",), indexed=True, value=attr("found_at")),
        Column(_l("Bằng chứng"), value=_evidence),
        *_pupil_columns("a", _l("Hồ sơ A")),
        *_pupil_columns("b", _l("Hồ sơ B")),
        Column(_l("Xử lý")),
    ))


def _reviewer_scope(request) -> Scope:
    scope = Scope.for_user(request.user)
    if scope.kind not in (COUNTRY, PROVINCE):
        # A pair spans schools: a school's staff cannot judge it (the province of either pupil does).
        raise PermissionDenied(_("Chỉ Sở GD&ĐT và Bộ GD&ĐT xem xét hồ sơ nghi trùng."))
    return scope


def _pupils_shown(request, scope):
    """list_page's rows_hook: mark the pupils of another province, and audit the full ID numbers shown
    or exported, with the pupils as the records."""
    def hook(candidates):
        pupils = [p for c in candidates for p in (c.pupil_a, c.pupil_b) if p is not None]
        for pupil in pupils:
            # A pupil of another province is shown as the add-pupil form shows one (name, birth date,
            # gender, birthplace, school): no code, no link, the ID number masked as everywhere.
            pupil.in_scope = scope.contains_school(pupil.school)
        if scope.can_view_id_numbers:
            # Audit (the audit app hears it): full ID numbers shown or exported.
            id_numbers_shown.send(sender=Student, request=request, scope=scope, records=pupils,
                                  exported=export_requested(request))
    return hook


@login_required
def duplicate_list_view(request):
    scope = _reviewer_scope(request)
    answer = list_page(request, queryset=duplicate_candidates(scope=scope), spec=DUPLICATE_LIST, scope=scope,
                       scope_name=scope_describe, rows_hook=_pupils_shown(request, scope))
    if isinstance(answer, HttpResponseBase):
        return answer
    recent = [c for c in duplicate_candidates(scope=scope, status=DuplicateStatus.MERGED).order_by("-decided_at")[:20]
              if merge_undo_deadline(c) > timezone.now()]
    return render(request, "students/duplicates/list.html", {"scope": scope, "recent": recent, **answer})


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
