"""Results and measurements typed by hand: one pupil's term result and measurement (from the pupil's
page) and the class sheet ("Sổ điểm lớp": a class's term results in one save). Thin doors onto
students.class_sheet; every page works without JavaScript (plain forms, redirect after a save)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.listing import Column, ListSpec, attr
from edu_portal.common.models import current_school_year, school_year_label
from edu_portal.common.views import list_page
from schools.selectors import school_for_entry

from . import assessment
from .class_sheet import (
    CELL,
    ResultRow,
    RowsInvalid,
    cell_text,
    class_results_record,
    class_sheet_rows,
    physical_record_save,
    school_classes,
    student_result_record,
)
from .forms_results import PhysicalForm, ResultForm
from .models import AcademicResult, ConductRating, PhysicalRecord, Term
from .selectors import student_get

TERMS = (Term.FIRST, Term.SECOND, Term.WHOLE_YEAR)


def _int(raw, default: int | None = None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else default


# --- one pupil ---------------------------------------------------------------------------------

@login_required
def student_result_view(request, pk: int):
    """"Ghi / sửa kết quả học tập": the year and term are chosen by the link (?school_year=&term=),
    the subjects are those of the pupil's grade that year."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    enrollments = [e for e in student.enrollments.all() if e.status != "transferred_out" and e.grade >= 1]
    if not enrollments:
        messages.error(request, _("Học sinh chưa có ghi danh lớp 1-12 nên chưa có kết quả học tập để ghi."))
        return redirect("students:detail", pk=pk)
    params = request.POST if request.method == "POST" else request.GET
    year = _int(params.get("school_year"), enrollments[0].school_year)
    enrollment = next((e for e in enrollments if e.school_year == year), None)
    term = _int(params.get("term"), Term.FIRST)
    if enrollment is None or term not in Term.values:
        raise Http404
    result = next((r for r in student.results.all() if r.school_year == year and r.term == term), None)
    form = ResultForm(request.POST or None, grade=enrollment.grade, result=result)
    if request.method == "POST" and form.is_valid():
        row = ResultRow(pupil_code=student.pupil_code, conduct_rating=form.cleaned_data["conduct_rating"],
                        learning_rating=form.cleaned_data["learning_rating"], subject_scores=form.cells(),
                        seen=form.cleaned_data["updated_at"])
        try:
            student_result_record(scope=scope, student=student, school_year=year, term=term, row=row)
        except AppError as exc:
            if exc.status_code == 404:
                raise
            form.add_app_error(exc)
            if exc.code == "stale":
                form.take_stored_time(AcademicResult.objects.filter(student=student, school_year=year,
                                                                    term=term).first())
        else:
            messages.success(request, _("Đã lưu kết quả học tập %(term)s năm học %(year)s.")
                             % {"term": Term(term).label, "year": school_year_label(year)})
            return redirect("students:detail", pk=pk)
    return render(request, "students/result_form.html", {
        "student": student, "form": form, "enrollment": enrollment, "enrollments": enrollments, "term": term,
        "terms": TERMS, "result": result, "scope": scope,
        "primary": assessment.is_primary(enrollment.grade)})


@login_required
def student_physical_view(request, pk: int):
    """"Ghi / sửa số đo": a new date adds a measurement, ?measured_on= opens the one of that day."""
    scope = Scope.for_user(request.user)
    student = student_get(scope=scope, pk=pk)
    record = None
    initial = {}
    day = request.GET.get("measured_on")
    if day:
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise Http404 from None
        record = next((p for p in student.physical_records.all() if p.measured_on == day), None)
        if record is not None:
            initial = {"measured_on": record.measured_on, "height_cm": cell_text(float(record.height_cm)),
                       "weight_kg": cell_text(float(record.weight_kg)), "updated_at": record.updated_at.isoformat()}
    form = PhysicalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = physical_record_save(scope=scope, student=student, measured_on=data["measured_on"],
                                         height_cm=data["height_cm"], weight_kg=data["weight_kg"],
                                         seen=data["updated_at"])
        except AppError as exc:
            if exc.status_code == 404:
                raise
            form.add_app_error(exc)
            if exc.code == "stale":
                record = PhysicalRecord.objects.filter(student=student, measured_on=data["measured_on"]).first()
                form.data = form.data.copy()
                form.data["updated_at"] = record.updated_at.isoformat() if record else ""
        else:
            messages.success(request, _("Đã lưu số đo ngày %(day)s: %(status)s.")
                             % {"day": saved.measured_on.strftime("%d/%m/%Y"),
                                "status": saved.get_nutrition_status_display()})
            return redirect("students:detail", pk=pk)
    return render(request, "students/physical_form.html",
                  {"student": student, "form": form, "record": record, "scope": scope})


# --- the class sheet ---------------------------------------------------------------------------

# A school's classes this year (a few dozen, counted, read at once): every column sorts, in memory.
CLASS_LIST = ListSpec(
    what=_l("Lớp học"),
    columns=(
        Column(_l("Khối"), "grade", ("grade", "class_name"), indexed=True, unique=True, value=attr("grade")),
        Column(_l("Lớp"), "class", ("class_name", "grade"), indexed=True, unique=True, value=attr("class_name")),
        Column(_l("Sĩ số"), "pupils", ("pupils", "grade", "class_name"), indexed=True, unique=True,
               value=attr("pupils"), css="text-end"),
        Column(_l("Sổ điểm")),
    ))


@login_required
def class_sheet_index_view(request):
    """The school's classes this year, each opening its sheet (a school user: their school; a
    province or ministry user: the school of their scope named by ?school=)."""
    scope = Scope.for_user(request.user)
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    year = current_school_year()
    answer = list_page(request, queryset=school_classes(scope=scope, school=school, school_year=year),
                       spec=CLASS_LIST, scope=scope, scope_name=lambda scope: f"{school.code} {school.name}",
                       filters=[(_("năm học"), school_year_label(year))])
    if isinstance(answer, HttpResponseBase):
        return answer
    return render(request, "students/class_sheet_index.html", {
        **answer, "school": school, "year": year, "year_label": school_year_label(year), "scope": scope})


def class_sheet_url(*, school, grade, class_name, term) -> str:
    return reverse("students:class_sheet") + "?" + urlencode(
        {"school": school.pk, "grade": grade, "class_name": class_name, "term": term})


@login_required
def class_sheet_view(request):
    """Sổ điểm lớp: one row per pupil of a class (this school year), a cell per subject of the grade
    and the conduct; one POST saves the class for the term, all or nothing. A refused save shows
    the sheet again with every typed value and each error next to its cell."""
    scope = Scope.for_user(request.user)
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    grade = _int(request.GET.get("grade"))
    class_name = (request.GET.get("class_name") or "").strip()
    term = _int(request.GET.get("term"), Term.FIRST)
    if grade is None or not 1 <= grade <= 12 or not class_name or term not in Term.values:
        messages.error(request, _("Chọn một lớp (khối 1-12) để mở sổ điểm."))
        return redirect(reverse("students:class_sheet_index") + f"?school={school.pk}")
    year = current_school_year()
    subjects = assessment.subjects_for(grade)
    rows = class_sheet_rows(scope=scope, school=school, grade=grade, class_name=class_name, school_year=year,
                            term=term)
    typed, errors = {}, {}
    if request.method == "POST":
        typed = {r.student.pk: _typed_row(request.POST, r.student.pk, len(subjects)) for r in rows}
        sent = [ResultRow(pupil_code=r.student.pupil_code, conduct_rating=typed[r.student.pk]["conduct"],
                          subject_scores={s.name: typed[r.student.pk]["cells"][i] for i, s in enumerate(subjects)},
                          seen=typed[r.student.pk]["seen"]) for r in rows]
        try:
            written = class_results_record(scope=scope, school=school, grade=grade, class_name=class_name,
                                           school_year=year, term=term, rows=sent)
        except RowsInvalid as exc:
            errors = exc.details
            messages.error(request, exc.message)
        except AppError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu sổ điểm lớp %(class)s, %(term)s: %(n)s học sinh có kết quả mới "
                                        "hoặc được sửa.")
                             % {"class": class_name, "term": Term(term).label, "n": len(written)})
            return redirect(class_sheet_url(school=school, grade=grade, class_name=class_name, term=term))
    by_code = {r.student.pupil_code: r.student.pk for r in rows}
    cell_index = {f"{CELL}{s.name}": i for i, s in enumerate(subjects)}
    sheet = []
    for r in rows:
        stored = r.result.subject_scores if r.result else {}
        mine = typed.get(r.student.pk)
        row_errors = errors.get(r.student.pupil_code, {})
        cells = []
        for i, s in enumerate(subjects):
            value = mine["cells"][i] if mine else (cell_text(stored[s.name]) if s.name in stored else "")
            cells.append({"name": f"c-{r.student.pk}-{i}", "value": value, "subject": s.name,
                          "errors": row_errors.get(f"{CELL}{s.name}", [])})
        sheet.append({
            "row": r, "cells": cells, "pk": r.student.pk,
            "conduct": mine["conduct"] if mine else (r.result.conduct_rating if r.result else ""),
            "conduct_errors": row_errors.get("conduct_rating", []),
            "seen": mine["seen"] if mine else (r.result.updated_at.isoformat() if r.result else ""),
            "row_errors": [m for key, msgs in row_errors.items()
                           if key not in cell_index and key != "conduct_rating" for m in msgs],
        })
    # Rows refused for a pupil no longer in the class (moved meanwhile) have no line of their own.
    strays = [m for code, e in errors.items() if code not in by_code for msgs in e.values() for m in msgs]
    conduct = [m for m in ConductRating if m in assessment.conduct_ratings_for(grade)]
    return render(request, "students/class_sheet.html", {
        "school": school, "grade": grade, "class_name": class_name, "term": term, "terms": TERMS,
        "year_label": school_year_label(year), "subjects": subjects, "sheet": sheet, "conduct_choices": conduct,
        "strays": strays, "scope": scope,
        "primary": assessment.is_primary(grade), "has_errors": bool(errors),
    })


def _typed_row(post, pk: int, n: int) -> dict:
    return {"cells": [post.get(f"c-{pk}-{i}", "").strip()[:40] for i in range(n)],
            "conduct": post.get(f"k-{pk}", "").strip()[:20], "seen": post.get(f"u-{pk}", "")}

