"""The reporting periods in the web pages (issue 19). One page per period, by the user's level: a school checks
its data, explains warnings and submits; a province approves or returns its schools (many at once), re-opens
and grants exceptions; the ministry opens periods, sees reporting and on-time rates and official figures beside
live ones by province, and accepts provinces. Thin doors onto reporting.services, checks and selectors."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from dashboards.metrics import METRICS
from edu_portal.common.exceptions import AppError
from edu_portal.common.i18n import stored_text
from edu_portal.common.listing import Column, ListSpec, attr, display
from edu_portal.common.models import school_year_label
from edu_portal.common.views import list_page
from geo.models import Commune, Province
from schools.models import School
from schools.selectors import scope_describe

from . import checks, notifications, selectors, services
from .forms import PeriodForm
from .models import CheckResult, CheckStatus, Domain, Notification, ReportingPeriod, Submission
from .rules import BY_CODE, describe

# The figures shown official beside live (any metric is in the API: /api/v1/reporting/periods/<id>/figures/).
FIGURES = ["pupils", "pupils_female", "staff"]


def _period(pk: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(pk=pk).first()
    if period is None:
        raise AppError(_("Không có kỳ báo cáo này."), code="not_found", status_code=404)
    return period


def _back(period: ReportingPeriod) -> str:
    return reverse("reporting:period", args=[period.pk])


def _ids(request, name: str = "school") -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist(name) if v]
    except ValueError:
        raise AppError(_("Trường không hợp lệ."), code="invalid") from None


def _period_label(period: ReportingPeriod, scope=None) -> str:
    return f"{period.get_kind_display()} {school_year_label(period.school_year)}"


# The periods are few (a handful a year) and a user's notifications some hundreds: every column sorts.
PERIOD_LIST = ListSpec(
    what=_l("Kỳ báo cáo"),
    columns=(
        Column(_l("Kỳ"), "period", ("school_year", "opens_on"), indexed=True, value=_period_label),
        Column(_l("Mở từ ngày"), "opens", ("opens_on",), indexed=True, value=attr("opens_on")),
        Column(_l("Hạn nộp"), "closes", ("closes_on",), indexed=True, value=attr("closes_on")),
        Column(_l("Hết hạn"), "expires", ("expires_on",), indexed=True, value=attr("expires_on")),
    ))

NOTIFICATION_LIST = ListSpec(
    what=_l("Thông báo"),
    columns=(
        Column(_l("Thời gian"), "time", ("created_at",), indexed=True, value=attr("created_at")),
        Column(_l("Thông báo"), value=lambda row, scope: stored_text(row.text)),
        Column(_l("Đã đọc lúc"), value=attr("read_at"), screen=False),
    ))


def _labelled(periods) -> None:
    for period in periods:
        period.label = _period_label(period)


@login_required
def period_list_view(request):
    scope = Scope.for_user(request.user)
    form = PeriodForm(request.POST or None) if scope.kind == COUNTRY else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                period = services.period_create(scope=scope, **form.cleaned_data)
            except AppError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã mở kỳ báo cáo %(period)s.") % {"period": period})
                return redirect(_back(period))
    answer = list_page(request, queryset=selectors.period_list(), spec=PERIOD_LIST, scope=scope,
                       scope_name=scope_describe, rows_hook=_labelled)
    if isinstance(answer, HttpResponseBase):
        return answer
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "reporting/period_list.html", {"form": form, "scope": scope, "unread": unread, **answer})


def _worded(rows) -> None:
    for row in rows:
        row.text = notifications.text(row)


@login_required
def notifications_view(request):
    """The user's notifications, newest first, worded in their language; shown on a page means read (a
    download reads them all but marks none)."""
    scope = Scope.for_user(request.user)
    answer = list_page(request, queryset=Notification.objects.filter(user=request.user).select_related("period"),
                       spec=NOTIFICATION_LIST, scope=scope, scope_name=lambda s: request.user.get_username(),
                       rows_hook=_worded)
    if isinstance(answer, HttpResponseBase):
        return answer
    shown = list(answer["page"])
    for n in shown:
        n.unread = n.read_at is None
    Notification.objects.filter(pk__in=[n.pk for n in shown if n.unread]).update(read_at=timezone.now())
    return render(request, "reporting/notifications.html", {"scope": scope, **answer})


def _checks_shown(checks_: list[CheckResult]) -> list[dict]:
    shown = []
    for check in sorted(checks_, key=lambda c: (c.status == CheckStatus.CORRECTED, not c.blocking, c.rule)):
        rule = BY_CODE.get(check.rule)
        shown.append({"check": check, "title": rule.title if rule else check.rule,
                      "items": [describe(check.rule, **i) for i in check.items]})
    return shown


# A period's reports of the scope's schools (a province's ~1,600): any column sorts.
SUBMISSION_LIST = ListSpec(
    what=_l("Báo cáo của các trường"),
    columns=(
        Column(""),
        Column(_l("Trường"), "school", ("school__name",), indexed=True, value=attr("school.name")),
        Column(_l("Mã trường"), value=attr("school.code"), screen=False),
        Column(_l("Trạng thái"), "status", ("status",), indexed=True, value=display("status")),
        Column(_l("Nộp lúc"), "submitted", ("first_submitted_at",), indexed=True, value=attr("first_submitted_at")),
        Column(_l("Ý kiến"), value=attr("comment")),
        Column(""),
    ))


@login_required
def period_view(request, pk: int):
    scope = Scope.for_user(request.user)
    period = _period(pk)
    context = {"period": period, "label": f"{period.get_kind_display()} {school_year_label(period.school_year)}",
               "scope": scope, "domains": [Domain(d).label for d in period.domains]}
    if scope.kind == SCHOOL:
        school = School.objects.get(pk=scope.school_id)
        submission = Submission.objects.filter(period=period, school=school).first()
        found = CheckResult.objects.filter(period=period, school=school)
        context.update({"school": school, "submission": submission, "checks": _checks_shown(list(found)),
                        "blocking": sum(1 for c in found if c.blocking and c.status == CheckStatus.OPEN),
                        "checked": found.exists(),
                        "events": submission.events.select_related("by") if submission else []})
        return render(request, "reporting/period_school.html", context)
    status = request.GET.get("status") or None
    # The schools' reports: a list of the list component (sorted, paged, exported), its parameters "sub_sort"...
    submissions = list_page(request, queryset=selectors.submission_list(scope=scope, period=period, status=status),
                            spec=SUBMISSION_LIST, scope=scope, scope_name=scope_describe, prefix="sub_",
                            filters=[(str(_("Kỳ báo cáo")), context["label"])])
    if isinstance(submissions, HttpResponseBase):
        return submissions
    areas = _rated(selectors.completeness(scope=scope, period=period))
    names = _area_names(scope, [a["area"] for a in areas])
    for row in areas:
        row["name"] = names.get(row["area"], row["area"])
    context.update({
        "areas": areas,
        "submissions": submissions,
        "not_submitted": selectors.not_submitted(scope=scope, period=period, limit=200),
        "figures": [{**row, "name": names.get(row["area"], row["area"]),
                     "pairs": [(m, row[f"official_{m}"], row[f"live_{m}"]) for m in FIGURES]}
                    for row in selectors.official_beside_live(scope=scope, period=period, metrics=FIGURES)],
        "figure_labels": [next(m.label for m in METRICS if m.name == name) for name in FIGURES],
        "status": status, "is_province": scope.kind == PROVINCE, "is_country": scope.kind == COUNTRY,
    })
    return render(request, "reporting/period_area.html", context)


def _area_names(scope: Scope, keys: list[str]) -> dict[str, str]:
    model = Province if scope.kind == COUNTRY else Commune
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


def _rated(rows: list[dict]) -> list[dict]:
    for row in rows:
        n = row["schools"] or 0
        row["reporting_rate"] = round(100 * row["submitted"] / n, 1) if n else None
        row["on_time_rate"] = round(100 * row["on_time"] / n, 1) if n else None
    return rows


def _act(request, pk: int, action) -> object:
    period = _period(pk)
    scope = Scope.for_user(request.user)
    try:
        done = action(scope, period)
    except AppError as exc:
        if exc.status_code in (403, 404):
            raise  # not yours, or not allowed: the error page, as any other door answers (the access matrix)
        messages.error(request, exc.message)
        for rule in exc.details.get("rules", []) if isinstance(exc.details, dict) else []:
            for item in rule.get("items", [])[:5]:
                messages.error(request, item)
    else:
        if done:
            messages.success(request, done)
    return redirect(_back(period))


@login_required
@require_POST
def check_view(request, pk: int):
    def action(scope, period):
        if scope.kind != SCHOOL:
            raise AppError(_("Trường tự kiểm tra dữ liệu của mình."), code="forbidden", status_code=403)
        found = checks.checks_run(period=period, school_ids=[scope.school_id])[scope.school_id]
        open_ = [c for c in found if c.status == CheckStatus.OPEN]
        return _("Đã kiểm tra: %(n)s quy tắc chưa đạt.") % {"n": len(open_)}
    return _act(request, pk, action)


@login_required
@require_POST
def explain_view(request, pk: int):
    def action(scope, period):
        checks.check_explain(scope=scope, user=request.user, check_id=int(request.POST.get("check") or 0),
                             note=request.POST.get("note", ""))
        return _("Đã ghi giải trình.")
    return _act(request, pk, action)


@login_required
@require_POST
def submit_view(request, pk: int):
    def action(scope, period):
        school_id = scope.school_id if scope.kind == SCHOOL else (_ids(request) or [0])[0]
        services.submission_submit(scope=scope, user=request.user, period_id=period.pk, school_id=school_id)
        return _("Đã nộp báo cáo. Sở Giáo dục và Đào tạo sẽ duyệt.")
    return _act(request, pk, action)


@login_required
@require_POST
def decide_view(request, pk: int):
    """Approve or return the schools ticked in the list, all at once."""
    def action(scope, period):
        ids = _ids(request)
        if request.POST.get("decision") == "return":
            n = services.submissions_return(scope=scope, user=request.user, period_id=period.pk, school_ids=ids,
                                            comment=request.POST.get("comment", ""))
            return _("Đã trả lại %(n)s báo cáo.") % {"n": n}
        n = services.submissions_approve(scope=scope, user=request.user, period_id=period.pk, school_ids=ids,
                                         comment=request.POST.get("comment", ""))
        return _("Đã duyệt %(n)s báo cáo; số liệu của các trường này đã được chốt.") % {"n": n}
    return _act(request, pk, action)


@login_required
@require_POST
def reopen_view(request, pk: int):
    def action(scope, period):
        services.submission_reopen(scope=scope, user=request.user, period_id=period.pk,
                                   school_id=(_ids(request) or [0])[0], reason=request.POST.get("reason", ""))
        return _("Đã mở lại báo cáo; trường sửa được dữ liệu và nộp lại.")
    return _act(request, pk, action)


@login_required
@require_POST
def exception_view(request, pk: int):
    def action(scope, period):
        try:
            hours = int(request.POST.get("hours") or 0)
        except ValueError:
            hours = 0
        services.exception_grant(scope=scope, user=request.user, period_id=period.pk,
                                 school_id=(_ids(request) or [0])[0], hours=hours, reason=request.POST.get("reason", ""))
        return _("Đã cho phép ngoại lệ; dữ liệu sửa trong thời hạn sẽ cần duyệt lại.")
    return _act(request, pk, action)


@login_required
@require_POST
def accept_view(request, pk: int):
    def action(scope, period):
        acceptance = services.province_accept(scope=scope, user=request.user, period_id=period.pk,
                                              province_code=request.POST.get("province", ""))
        name = Province.objects.filter(pk=acceptance.province_id).values_list("name", flat=True).first()
        return _("Đã tiếp nhận số liệu của tỉnh %(p)s.") % {"p": name or acceptance.province_id}
    return _act(request, pk, action)


@login_required
@require_POST
def freeze_view(request, pk: int):
    """The ministry approves every report still waiting and accepts every province at once (all or none)."""
    def action(scope, period):
        done = services.period_freeze_national(scope=scope, user=request.user, period_id=period.pk,
                                               comment=request.POST.get("comment", ""))
        return _("Đã chốt số liệu toàn quốc: duyệt %(approved)s báo cáo, tiếp nhận %(accepted)s tỉnh.") % done
    return _act(request, pk, action)
