from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.identity import fix_reasons
from edu_portal.common.listing import Column, ListSpec, attr, display, narrowed_to_commune
from edu_portal.common.models import current_school_year
from edu_portal.common.names import vietnamese_order, vietnamese_order_by_sorting
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.views import person_edit_answer, render_list
from schools.selectors import place_pickers, school_for_entry, scope_describe

from .duplicates import student_likely_duplicates
from .filtersets import StudentFilterSet
from .forms import DeleteForm, LeaveForm, StudentForm
from .models import WITHDRAW_STATUSES, EnrollmentStatus
from .selectors import class_pickers, student_get, student_list_page, student_missing_reasons, transfer_pending_of
from .services import (
    student_create,
    student_delete,
    student_enroll,
    student_readmit,
    student_update,
    student_withdraw,
)


def _list_filterset(scope: Scope, data):
    """The one StudentFilterSet, its form shown with pickers: places and schools by name, then the
    grades and classes of the school this year (no ids or codes typed by hand)."""
    filterset = StudentFilterSet(data)
    choices = place_pickers(scope=scope, province=data.get("province", ""), commune=data.get("commune", ""), school=data.get("school", ""))
    school = scope.school_id if scope.kind == SCHOOL else data.get("school", "")
    choices |= class_pickers(scope=scope, school_id=int(school) if str(school).isdigit() else None,
                             grade=data.get("grade", ""))
    filterset.use_pickers(choices, hidden=("school_code",), search={"school": reverse("schools:pick")})
    return filterset


# The pupil list's columns. Indexed orders (any list, the country's included): the pupil code (unique) and
# the name (student_vi_name_search, walked either way); the others sort a school's or a commune's pupils only.
STUDENT_LIST = ListSpec(
    what=_l("Học sinh"), id_numbers=True, narrowed=narrowed_to_commune,
    columns=(
        Column(_l("Mã học sinh"), "code", ("pupil_code",), indexed=True, unique=True, value=attr("pupil_code")),
        Column(_l("Họ và tên"), "name", tuple(vietnamese_order()), indexed=True,
               narrowed_order=tuple(vietnamese_order_by_sorting()), value=attr("full_name")),
        Column(_l("Khối"), "grade", ("current_grade",), value=attr("current_grade")),
        Column(_l("Lớp"), "class", ("current_class",), value=attr("current_class")),
        Column(_l("Số định danh"), value=lambda row, scope: scope.show_id_number(row.id_number)),
        Column(_l("Ngày sinh"), "born", ("date_of_birth",), value=attr("date_of_birth")),
        Column(_l("Giới tính"), "gender", ("gender",), value=display("gender")),
        Column(_l("Trường"), "school", ("school__name",), value=attr("school.name")),
        Column(_l("Xác thực"), "verification", ("verification_status",), value=display("verification_status")),
    ))


@login_required
def student_list_view(request):
    scope = Scope.for_user(request.user)
    return render_list(request, scope=scope, selector=student_list_page, template="students/student_list.html",
                       filterset_class=lambda data: _list_filterset(scope, data), spec=STUDENT_LIST,
                       scope_name=scope_describe)


def _detail(request, *, scope, student, leave_form=None, delete_form=None):
    # Audit (the audit app hears it): a full ID number shown, when this scope shows it in full.
    id_numbers_shown.send(sender=type(student), request=request, scope=scope, records=[student])
    # Writes follow the scope, as everywhere in the portal (services._require, uploads on a school's
    # behalf, read-write API tokens): whoever sees the pupil works for their school or above it.
    latest = next((e for e in student.enrollments.all() if e.school_id == student.school_id), None)
    return render(request, "students/student_detail.html", {
        "student": student, "scope": scope, "latest_enrollment": latest,
        "leave_form": leave_form or LeaveForm(),
        "delete_form": delete_form or DeleteForm(),
        "studying": latest is not None and latest.status == EnrollmentStatus.STUDYING,
        # A leaver, or a pupil recorded as leaving by transfer whom no school took in yet ("chờ tiếp nhận").
        "may_readmit": latest is not None and latest.status in WITHDRAW_STATUSES,
        "awaiting_transfer": latest is not None and latest.status == EnrollmentStatus.TRANSFERRED_OUT,
        # The banner of a request waiting for an answer (the record cannot be edited meanwhile).
        "pending_transfer": transfer_pending_of(student=student),
        # A leaver of an earlier year comes back into this year's grade and class.
        "readmit_needs_class": latest is not None and latest.school_year < current_school_year(),
    })


@login_required
def student_detail_view(request, pk: int):
    scope = Scope.for_user(request.user)
    return _detail(request, scope=scope, student=student_get(scope=scope, pk=pk))


@login_required
@require_POST
def student_withdraw_view(request, pk: int):
    """Cho thôi học / ghi nhận rời trường: back to the pupil's page, or the page with the form's errors."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            student_withdraw(scope=scope, student=student, **form.cleaned_data)
        except AppError as exc:
            if exc.status_code == 404:
                raise
            if exc.code == "already_left":
                # Someone recorded it meanwhile (a stale form): the page shows what is on file now.
                messages.error(request, exc.message)
                return redirect("students:detail", pk=pk)
            fields = [f for f in exc.details if f in form.fields]
            for field in fields:
                form.add_error(field, exc.details[field])
            if not fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận học sinh rời trường."))
            return redirect("students:detail", pk=pk)
    return _detail(request, scope=scope, student=student_get(scope=scope, pk=pk), leave_form=form)


@login_required
@require_POST
def student_delete_view(request, pk: int):
    """Xoá hồ sơ nhập nhầm, with a reason and a confirmation: to the pupil list, or back to the pupil's
    page with the form's errors. A pupil who left is withdrawn, not deleted (the page says so)."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    form = DeleteForm(request.POST)
    if form.is_valid():
        try:
            student_delete(scope=scope, student=student, reason=form.cleaned_data["reason"])
        except AppError as exc:
            if exc.status_code == 404:
                raise
            form.add_error("reason" if "reason" in exc.details else None, exc.message)
        else:
            messages.success(request, _("Đã xoá hồ sơ học sinh %(code)s.") % {"code": student.pupil_code})
            return redirect("students:list")
    return _detail(request, scope=scope, student=student_get(scope=scope, pk=pk), delete_form=form)


@login_required
@require_POST
def student_readmit_view(request, pk: int):
    """Tiếp nhận lại a leaver of this school year (an earlier year's leaver needs a grade and class:
    the service says so, shown as a message)."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    grade = request.POST.get("grade", "").strip()
    try:
        if grade and not (grade.isdigit() and int(grade) <= 12):
            raise AppError(_("Khối lớp phải từ 0 (mầm non) đến 12."))
        student_readmit(scope=scope, student=student, grade=int(grade) if grade else None,
                        class_name=request.POST.get("class_name", ""))
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Học sinh đã được tiếp nhận lại."))
    return redirect("students:detail", pk=pk)



@login_required
def student_new_view(request):
    """"Thêm học sinh": a new pupil enrolled this school year at the user's school (or, for a province
    or ministry user, at the school of their scope named by ?school=, as an upload on its behalf)."""
    scope = Scope.for_user(request.user)
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    form = StudentForm(request.POST or None, scope=scope, school=school)
    likely = []
    if request.method == "POST" and form.is_valid():
        # Before creating a likely duplicate (issue 16), the user sees whom it may duplicate (name,
        # birth date, school: never an ID number or code) and ticks the box to create it anyway.
        if not request.POST.get("confirm_duplicate"):
            kwargs = form.service_kwargs
            likely = student_likely_duplicates(kwargs.get("full_name", ""), kwargs["date_of_birth"],
                                               kwargs.get("gender", "")) if kwargs.get("date_of_birth") else []
        if not likely:
            try:
                student = student_create(scope=scope, school=school, **form.service_kwargs)
            except AppError as exc:
                if exc.status_code == 404:
                    raise
                form.add_app_error(exc)
            else:
                messages.success(request, _("Đã thêm học sinh %(name)s.") % {"name": student.full_name})
                return redirect("students:detail", pk=student.pk)
    return render(request, "students/student_form.html",
                  {"form": form, "school": school, "scope": scope, "likely_duplicates": likely})


def _current_row(student) -> dict:
    """The pupil as an upload row carries them, with this school year's enrollment (if any)."""
    this_year = next((e for e in student.enrollments.all() if e.school_year == current_school_year()), None)
    return {"pupil_code": student.pupil_code, "id_number": student.id_number, "full_name": student.full_name,
            "date_of_birth": student.date_of_birth, "gender": student.gender, "ethnicity": student.ethnicity,
            "birth_province": student.birth_province_id or "",
            "grade": this_year.grade if this_year else None, "class_name": this_year.class_name if this_year else "",
                "id_number_missing_reason": student.id_number_missing_reason,
                "id_number_missing_note": student.id_number_missing_note}


@login_required
def student_edit_view(request, pk: int):
    """"Sửa học sinh": the identity fields (a change re-queues verification), and this year's grade
    and class for a pupil not yet enrolled this year."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    row = _current_row(student)
    enroll = row["grade"] is None
    form = StudentForm(request.POST or None, scope=scope, school=student.school, record=student, current_row=row,
                       enroll=enroll)
    if request.method == "POST" and form.is_valid():
        def save(locked):
            enrollment = form.enrollment_kwargs()  # taken out of the identity changes
            if form.service_kwargs:
                student_update(scope=scope, student=locked, **form.service_kwargs)
            if enrollment:
                student_enroll(scope=scope, student=locked, **enrollment)

        outcome = form.save_edit(lock=lambda: student_get(scope=scope, pk=pk, for_update=True), save=save)
        answer = person_edit_answer(request, outcome, detail="students:detail", pk=student.pk)
        if answer is not None:
            return answer
        student = form.record
    # What the to-do list sent the user here to fix, on top of the form.
    reasons = fix_reasons(student, missing=student_missing_reasons(scope=scope, student=student),
                          may_see_id_numbers=scope.can_view_id_numbers)
    return render(request, "students/student_form.html",
                  {"form": form, "school": student.school, "student": student, "scope": scope, "stale": form.stale,
                   "fix_reasons": reasons})
