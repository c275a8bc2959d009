"""The year-end in the web pages ("Xét lên lớp"): a school's proposals by class, the commit, the undo
while the new year is unused, and the confirmation of the new year's classes. A province or the ministry
opens a school of its scope (?school=), or commits every school of its scope at once (a task). Thin doors
onto students.yearend."""
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.scope import COUNTRY, SCHOOL, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year, school_year_label
from edu_portal.common.queue import enqueue_on_commit
from schools.models import School
from schools.selectors import school_for_entry

from . import yearend
from .models import Enrollment, Student, YearEndOutcome, YearRollover

# Schools per task when a province or the ministry commits every school of its scope.
SCHOOLS_PER_TASK = 200


def _year(request) -> int:
    try:
        return int(request.POST.get("year") or request.GET.get("year") or current_school_year())
    except ValueError:
        return current_school_year()


def _back(school: School, year: int, scope: Scope) -> str:
    url = reverse("students:year_end") + f"?year={year}"
    return url + ("" if scope.kind == SCHOOL else f"&school={school.pk}")


def _label(outcome: str) -> str:
    return str(YearEndOutcome(outcome).label)


def _counted(labels) -> list[tuple[str, int]]:
    return sorted(Counter(labels).items())


def _rollover_counts(rollover) -> list[tuple[str, int]]:
    """The rollover's counts as people read them: decided outcomes, then pupils carried while undecided."""
    if rollover is None:
        return []
    out = []
    for key, n in sorted(rollover.counts.items()):
        carried = key.startswith("carried_")
        label = _label(key.removeprefix("carried_"))
        out.append((_("Xếp lớp dự kiến, %(outcome)s") % {"outcome": label.lower()} if carried else label, n))
    return out


@login_required
def year_end_view(request):
    scope = Scope.for_user(request.user)
    year = _year(request)
    if scope.kind != SCHOOL and not request.GET.get("school"):
        schools = scope.filter(School.objects.order_by("name"), "")
        last = current_school_year() - 1
        rollover = YearRollover.objects.filter(school_year=last).first()
        return render(request, "students/year_end/scope.html", {
            "scope": scope, "year": year, "year_label": school_year_label(year),
            "next_label": school_year_label(year + 1), "schools": schools[:500], "total": schools.count(),
            "rollover_year": last, "rollover_label": school_year_label(last),
            "rollover_next": school_year_label(last + 1),
            "rollover": rollover, "rollover_counts": _rollover_counts(rollover)})
    school = school_for_entry(scope=scope, pk=request.GET.get("school"))
    proposals = yearend.year_end_proposals(school_ids=[school.pk], year=year)
    names = dict(Student.objects.filter(pk__in=[p.student_id for p in proposals]).values_list("pk", "full_name"))
    by_class = defaultdict(list)
    for p in proposals:
        by_class[(p.grade, p.class_name)].append((names.get(p.student_id, ""), _label(p.outcome)))
    classes = [{"grade": grade, "name": name, "pupils": sorted(rows),
                "counts": _counted(outcome for _n, outcome in rows)} for (grade, name), rows in sorted(by_class.items())]
    commits = list(yearend.latest_commits(school=school, year=year)[:10])
    for commit in commits:
        commit.counts = _counted(_label(o) for o in commit.decisions.values_list("outcome", flat=True))
        commit.blockers = yearend.year_end_undo_blockers(commit) if commit.undone_at is None else []
    provisional = (Enrollment.objects.filter(school=school, school_year=year + 1, provisional=True)
                   .values("class_name").order_by("class_name").distinct())
    return render(request, "students/year_end/school.html", {
        "scope": scope, "school": school, "year": year, "year_label": school_year_label(year),
        "next_label": school_year_label(year + 1), "classes": classes,
        "totals": [(label, sum(1 for p in proposals if p.outcome == value)) for value, label in YearEndOutcome.choices],
        "decidable": sum(1 for p in proposals if p.outcome in yearend.DECIDED), "commits": commits,
        "provisional": [row["class_name"] for row in provisional]})


@login_required
@require_POST
def year_end_commit_view(request):
    scope = Scope.for_user(request.user)
    year = _year(request)
    school = school_for_entry(scope=scope, pk=request.POST.get("school"))
    counts = yearend.year_end_commit(scope=scope, user=request.user, school_ids=[school.pk], year=year)
    if counts:
        messages.success(request, _("Đã ghi kết quả xét lên lớp của %(n)d học sinh; năm học %(next)s đã có lớp dự kiến.")
                         % {"n": sum(counts.values()), "next": school_year_label(year + 1)})
    else:
        messages.info(request, _("Không có học sinh nào đủ điều kiện để ghi."))
    return redirect(_back(school, year, scope))


@login_required
@require_POST
def year_end_commit_all_view(request):
    """A province or the ministry: every school of its scope, in tasks of SCHOOLS_PER_TASK schools."""
    scope = Scope.for_user(request.user)
    if scope.kind == SCHOOL:
        raise PermissionDenied(_("Sở GD&ĐT và Bộ GD&ĐT ghi kết quả cho nhiều trường; trường ghi cho chính mình."))
    year = _year(request)
    ids = list(scope.filter(School.objects.order_by("pk"), "").values_list("pk", flat=True))
    for start in range(0, len(ids), SCHOOLS_PER_TASK):
        enqueue_on_commit("students.year_end_commit", ids[start:start + SCHOOLS_PER_TASK], year, request.user.pk)
    messages.success(request, _("Đã gửi xét lên lớp cho %(n)d trường; kết quả ghi trong vài phút.") % {"n": len(ids)})
    return redirect(reverse("students:year_end") + f"?year={year}")


@login_required
@require_POST
def year_end_undo_view(request, pk: int):
    scope = Scope.for_user(request.user)
    year = _year(request)
    try:
        done = yearend.year_end_undo(scope=scope, user=request.user, year_end_id=pk)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
        return redirect(reverse("students:year_end") + f"?year={year}")
    messages.success(request, _("Đã hoàn tác lần xét lên lớp; các lớp dự kiến của năm học mới đã được xoá."))
    return redirect(_back(done.school, done.school_year, scope))


@login_required
@require_POST
def classes_confirm_view(request):
    scope = Scope.for_user(request.user)
    year = _year(request)
    school = school_for_entry(scope=scope, pk=request.POST.get("school"))
    names = request.POST.getlist("class_name")
    n = yearend.classes_confirm(scope=scope, school=school, year=year + 1, class_names=names or None)
    messages.success(request, ngettext("Đã xác nhận lớp cho %(n)d học sinh.", "Đã xác nhận lớp cho %(n)d học sinh.", n) % {"n": n})
    return redirect(_back(school, year, scope))


@login_required
@require_POST
def year_rollover_view(request):
    """The ministry turns the year for the whole country (as the beat task does after 1 August): a task."""
    scope = Scope.for_user(request.user)
    if scope.kind != COUNTRY:
        raise PermissionDenied(_("Chỉ Bộ GD&ĐT chuyển năm học cho cả nước."))
    year = current_school_year() - 1
    enqueue_on_commit("students.year_rollover", year, request.user.pk)
    messages.success(request, _("Đã bắt đầu chuyển năm học %(year)s sang %(next)s cho cả nước; số liệu cập nhật "
                                "sau vài phút.") % {"year": school_year_label(year), "next": school_year_label(year + 1)})
    return redirect(reverse("students:year_end"))
