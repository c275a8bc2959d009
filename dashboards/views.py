"""Dashboard pages: thin doors onto the selectors, plus CSV/Excel export of every table."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import current_school_year
from edu_portal.common.views import describe_filters
from geo.models import Commune
from schools.selectors import school_get, scope_describe
from students.models import REPORTING_TERMS

from .exports import table_export
from .filtersets import SchoolStatsFilterSet
from .headline import headline_figures
from .metrics import BY_NAME, MOVEMENT_METRICS
from .official import OFFICIAL_METRICS, official_summary, period_from, periods, require_domain
from .presentation import Table, completeness_by_school, indicator_tables
from .presentation_official import attach, coverage_text, official_columns, official_label, official_table
from .selectors import (
    Summary,
    derive,
    home_summary,
    province_names,
    school_todo,
    stats_summary,
)

FILTER_KEYS = ("school_year", "level", "ownership")
# What a drill-down link keeps: the filters and the reporting period whose official figures are shown.
KEPT_KEYS = (*FILTER_KEYS, "period")
# The figures shown official beside live on the general pages (official.OFFICIAL_METRICS and their ratios), and
# those of them added to the tables by unit, level and ownership.
OFFICIAL_FIGURES = [("pupils", _("Học sinh")), ("pupils_female", _("Học sinh nữ")),
                    ("pupils_male", _("Học sinh nam")), ("staff", _("Cán bộ, giáo viên")),
                    ("staff_teacher", _("Giáo viên")), ("teachers_qualified", _("Giáo viên đạt chuẩn")),
                    ("pupils_without_id", _("Học sinh chưa có số định danh")),
                    ("pupils_per_teacher", _("HS/GV")), ("teachers_qualified_pct", _("Giáo viên đạt chuẩn (%)"))]
OFFICIAL_UNIT_FIGURES = [("pupils", _("Học sinh")), ("staff", _("Cán bộ, giáo viên"))]

UNIT_COLUMNS = [("name", _("Đơn vị")), ("schools", _("Trường")), ("connected", _("Trường kết nối")),
                ("staff", _("Cán bộ, giáo viên")), ("pupils", _("Học sinh")), ("verified_pct", _("% định danh đã xác thực")),
                ("pupils_per_teacher", _("HS/GV")), ("teachers_qualified_pct", _("GV đạt chuẩn (%)")),
                ("completeness_pct", _("% đầy đủ dữ liệu"))]
SORTABLE = {key for key, _ in UNIT_COLUMNS}


def _linker(url_name: str, kept: str):
    """A function key -> link, reversing once (a national table has thousands of rows)."""
    base = reverse(url_name, args=["0"])[:-2]
    suffix = f"/?{kept}" if kept else "/"
    return lambda key: f"{base}{key}{suffix}"


def _digits(code: str) -> str:
    """An administrative unit code from the URL: digits only (anything else is not found)."""
    if not (code.isascii() and code.isdigit()):
        raise Http404
    return code


def _kept_filters(request) -> str:
    """The filters that carry over to a drill-down link (the area itself is in the path)."""
    return urlencode({k: request.GET[k] for k in KEPT_KEYS if request.GET.get(k)})


def _sorted(rows: list[dict], sort: str | None) -> list[dict]:
    key = (sort or "").lstrip("-")
    if key not in SORTABLE:
        return rows
    return sorted(rows, key=lambda r: (r.get(key) is None, r.get(key) or 0) if key != "name" else str(r[key]),
                  reverse=sort.startswith("-"))


def _respond(request, template: str, context: dict, tables: list[Table]):
    """Render the page, or one of its tables as CSV/Excel when ?export=csv|xlsx&table=<name>."""
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        wanted = request.GET.get("table") or tables[0].name
        scope = Scope.for_user(request.user)
        where = str(context.get("title") or scope_describe(scope))
        filterset = context.get("filter") or SchoolStatsFilterSet(request.GET)
        filters = [(label, value) for label, value in describe_filters(filterset.form, filterset.data)
                   if value != where]
        for table in tables:
            if table.name == wanted:
                return table_export(table, fmt, where=where, filters=filters)
    query = request.GET.copy()
    for k in ("export", "table"):
        query.pop(k, None)
    scope = Scope.for_user(request.user)
    context.setdefault("hide_province", scope.kind != COUNTRY)
    context.setdefault("filter", SchoolStatsFilterSet(request.GET))
    context.update({"tables": tables, "query": query.urlencode(), "kept": _kept_filters(request)})
    if "total" in context and "summary" in context:  # the cards: the home page's figures (dashboards/headline.py)
        year = context["summary"].filters.get("school_year") or current_school_year()
        context.setdefault("figures", headline_figures(context["total"], school_year=year))
    return render(request, template, context)


def _area_tables(summary: Summary, unit: str, sort: str | None, link) -> list[Table]:
    total = summary.total
    units = _sorted(summary.groups[unit], sort)
    for row in units:
        row["url"] = link(row["key"])
    by = [("name", _("Nhóm")), ("schools", _("Trường")), ("connected", _("Trường kết nối")), ("staff", _("Cán bộ, giáo viên")),
          ("pupils", _("Học sinh")), ("verified", _("Định danh đã xác thực")), ("verified_pct", _("% đã xác thực"))]
    unit_title = {"province": _("Tỉnh/thành phố"), "commune": _("Xã/phường"), "school": _("Trường")}[unit]
    by_unit = {"province": _("Theo tỉnh/thành phố"), "commune": _("Theo xã/phường"), "school": _("Theo trường")}[unit]
    return [
        Table("units", by_unit, [("name", unit_title)] + UNIT_COLUMNS[1:], units,
              {"type": "bar", "labels": [r["name"] for r in units],
               "datasets": [{"label": _("Học sinh"), "data": [r["pupils"] for r in units]},
                            {"label": _("Cán bộ, giáo viên"), "data": [r["staff"] for r in units]}]}),
        Table("by_level", _("Theo cấp học"), by, summary.groups["level"] + [{"name": _("Tổng"), **total}]),
        Table("by_ownership", _("Theo loại hình"), by, summary.groups["ownership"] + [{"name": _("Tổng"), **total}]),
        Table("verification", _("Định danh theo trạng thái xác thực"),
              [("label", _("Trạng thái")), ("pupils", _("Học sinh")), ("staff", _("Cán bộ, giáo viên")), ("count", _("Tổng"))],
              _verification_rows(total),
              {"type": "doughnut", "labels": [r["label"] for r in _verification_rows(total)],
               "datasets": [{"label": _("Tổng"), "data": [r["count"] for r in _verification_rows(total)]}],
               "states": [r["state"] for r in _verification_rows(total)]}),  # coloured as the badges (charts.js)
        # Transfers in and out and leavers, per unit: where the pupils of the area came from and went.
        Table("movements", _("Học sinh chuyển đến, chuyển đi và rời trường theo %(unit)s") % {"unit": str(unit_title).lower()},
              [("name", unit_title)] + [(m, BY_NAME[m].label) for m in MOVEMENT_METRICS],
              units + [{"name": _("Tổng"), **total}]),
    ]


def _verification_rows(total: dict) -> list[dict]:
    return [{"label": v.label, "state": v.value, "pupils": total[f"pupils_ver_{v.value}"],
             "staff": total[f"staff_ver_{v.value}"], "count": total["verification"][v.value]}
            for v in VerificationStatus]


def official_read(request, *, scope: Scope, summary: Summary, groups: tuple[str, ...], figures: list,
                  metrics: list[str], derive_row, domain: str | None = None, cards: tuple[str, ...] = (),
                  unit_figures: list | None = None) -> tuple[dict, object]:
    """The period picker's choices and, when a period is chosen (?period=), its official figures attached to the
    summary's rows (official_<figure>, diff_<figure>, approved, accepted): (page context, Official or None).
    `unit_figures`: the only figures the tables by group show, when they are sums (their rows neither derived
    nor given the others). A period that cannot be shown (unknown, of another year, without this page's data)
    is said on the page, which stays live."""
    year = summary.filters.get("school_year")
    context = {"periods": periods(school_year=year) if year else [], "period_chosen": request.GET.get("period", "")}
    try:
        period = period_from(request.GET.get("period"), school_year=year, choices=context["periods"])
        if period is not None and domain:
            require_domain(period, domain)
    except AppError as exc:
        context["period_error"] = exc.message
        return context, None
    if period is None:
        return context, None
    official = official_summary(scope=scope, period=period, filters=summary.filters, groups=groups, metrics=metrics,
                                derive_row=derive_row, derive_groups=unit_figures is None
                                or not {key for key, _label in unit_figures} <= set(metrics))
    attach(summary, official, [key for key, _label in figures],
           None if unit_figures is None else [key for key, _label in unit_figures])
    figures = [(key, str(label)) for key, label in figures]
    total = summary.total
    context.update({"official_cards": [{"key": key, "label": label, "official": total.get(f"official_{key}"),
                                        "live": total.get(key), "diff": total.get(f"diff_{key}")}
                                       for key, label in figures if key in cards],
                    "official": official, "official_label": official_label(official),
                    "official_table": official_table(official=official, live=summary.total, figures=figures),
                    "coverage_text": coverage_text(official, summary.total.get("schools", 0))})
    return context, official


def with_official(context: dict, tables: list[Table], grouped: list[Table], figures: list, *, accepted: bool) -> list[Table]:
    """The page's tables when official figures are shown: the official columns on the tables by unit, level and
    ownership (`grouped`) and the official table (exported as the others)."""
    if "official_table" not in context:
        return tables
    columns = official_columns([(key, str(label)) for key, label in figures], accepted=accepted)
    for table in grouped:
        table.columns = table.columns + columns
    return [*tables, context["official_table"]]


def _area(request, *, scope: Scope, filters: dict, unit: str, link, title: str, crumbs: list):
    groups = (unit, "level", "ownership")
    summary = stats_summary(scope=scope, filters=filters, groups=groups)
    official, _found = official_read(request, scope=scope, summary=summary, groups=groups, figures=OFFICIAL_FIGURES,
                                     metrics=OFFICIAL_METRICS, derive_row=derive, cards=("pupils", "staff"),
                                     unit_figures=OFFICIAL_UNIT_FIGURES)
    tables = _area_tables(summary, unit, request.GET.get("sort"), link)
    tables = with_official(official, tables, tables[:3], OFFICIAL_UNIT_FIGURES, accepted=True)
    return _respond(request, "dashboards/area.html",
                    {"title": title, "summary": summary, "total": summary.total, "crumbs": crumbs, "unit": unit,
                     "sort": request.GET.get("sort", ""), "indicator_query": urlencode(summary.filters),
                     "hide_province": unit != "province", **official},
                    tables)


@login_required
def overview_view(request):
    scope = Scope.for_user(request.user)
    kept = _kept_filters(request)
    if scope.kind == SCHOOL:
        return redirect(reverse("dashboards:school", args=[scope.school_id]) + (f"?{kept}" if kept else ""))
    if scope.kind == PROVINCE:
        return redirect(reverse("dashboards:province", args=[scope.province_code]) + (f"?{kept}" if kept else ""))
    filters = {k: request.GET.get(k) for k in FILTER_KEYS}
    return _area(request, scope=scope, filters=filters, unit="province",
                 link=_linker("dashboards:province", kept),
                 title=_("Toàn quốc"), crumbs=[])


@login_required
def province_view(request, code: str):
    scope = Scope.for_user(request.user)
    name = province_names().get(_digits(code))
    if name is None:
        raise Http404
    if not scope.contains_province(code):
        raise NotInScope()
    kept = _kept_filters(request)
    filters = {k: request.GET.get(k) for k in FILTER_KEYS} | {"province": code}
    return _area(request, scope=scope, filters=filters, unit="commune",
                 link=_linker("dashboards:commune", kept),
                 title=name, crumbs=_crumbs(scope, kept))


@login_required
def commune_view(request, code: str):
    scope = Scope.for_user(request.user)
    commune = get_object_or_404(Commune.objects.select_related("province"), pk=_digits(code))
    if not scope.contains_province(commune.province_id):
        raise NotInScope()
    kept = _kept_filters(request)
    filters = {k: request.GET.get(k) for k in FILTER_KEYS} | {"province": commune.province_id, "commune": code}
    crumbs = _crumbs(scope, kept) + [(commune.province.name, reverse("dashboards:province", args=[commune.province_id])
                                      + (f"?{kept}" if kept else ""))]
    return _area(request, scope=scope, filters=filters, unit="school",
                 link=_linker("dashboards:school", kept),
                 title=f"{commune.name}, {commune.province.name}", crumbs=crumbs)


def _crumbs(scope: Scope, kept: str) -> list:
    if scope.kind == PROVINCE or scope.kind == SCHOOL:
        return []
    return [(_("Toàn quốc"), reverse("dashboards:overview") + (f"?{kept}" if kept else ""))]


@login_required
def school_view(request, pk: int):
    scope = Scope.for_user(request.user)
    filters = {k: request.GET.get(k) for k in ("school_year",)}
    school = school_get(scope=scope, pk=pk)  # not found unless in the user's scope
    school_scope = Scope(SCHOOL, school_id=pk, province_code=school.province_id)
    summary, tables = _indicators(scope=school_scope, filters=filters, term=request.GET.get("term"))
    official, _found = official_read(request, scope=school_scope, summary=summary, groups=(),
                                     figures=OFFICIAL_FIGURES, metrics=OFFICIAL_METRICS, derive_row=derive, cards=("pupils", "staff"))
    tables = with_official(official, tables, [], OFFICIAL_UNIT_FIGURES, accepted=True)
    kept = _kept_filters(request)
    crumbs = _crumbs(scope, kept)
    if scope.kind != SCHOOL:
        crumbs += [(school.province.name, reverse("dashboards:province", args=[school.province_id]) + f"?{kept}"),
                   (school.commune.name, reverse("dashboards:commune", args=[school.commune_id]) + f"?{kept}")]
    return _respond(request, "dashboards/school.html",
                    {"school": school, "summary": summary, "total": summary.total, "crumbs": crumbs,
                     "title": school.name, "terms": [(t.value, t.label) for t in REPORTING_TERMS], "only_year": True,
                     **official}, tables)


def _indicators(*, scope: Scope, filters: dict, term: str | None):
    """The indicator tables, for the term asked for (?term=0|1|2) or the latest one assessed."""
    try:
        term = int(term) if term not in (None, "") else None
    except ValueError:
        term = None
    if term is not None and term not in REPORTING_TERMS:
        term = None
    return indicator_tables(scope=scope, filters=filters, term=term)


@login_required
def indicators_view(request):
    scope = Scope.for_user(request.user)
    filters = {k: request.GET.get(k) for k in ("school_year", "level", "ownership", "province", "commune")}
    summary, tables = _indicators(scope=scope, filters=filters, term=request.GET.get("term"))
    return _respond(request, "dashboards/indicators.html",
                    {"summary": summary, "total": summary.total, "title": _("Các chỉ số"), "terms": [(t.value, t.label) for t in REPORTING_TERMS],
                     "term": summary.term}, tables)


@login_required
def completeness_view(request):
    scope = Scope.for_user(request.user)
    filters = {k: request.GET.get(k) for k in ("school_year", "level", "ownership", "province", "commune")}
    summary, table = completeness_by_school(scope=scope, filters=filters)
    link = _linker("dashboards:school", "")
    for row in table.rows:
        row["url"] = link(row["key"])
    return _respond(request, "dashboards/completeness.html",
                    {"summary": summary, "total": summary.total, "title": _("Mức độ đầy đủ dữ liệu"),
                     "shown": table.rows[:200]}, [table])


@login_required
def home_view(request):
    """The portal's home page: the user's scope and its head counts (it spans every records app,
    so it lives with the dashboards, not with accounts)."""
    scope = Scope.for_user(request.user)
    summary = stats_summary(scope=scope, filters={})  # this school year's, as the dashboards' cards
    year = summary.filters.get("school_year") or current_school_year()
    return render(request, "home.html", {"scope": scope, "summary": home_summary(scope=scope),
                                         "figures": headline_figures(summary.total, school_year=year),
                                         "computed_at": summary.computed_at, "todo": school_todo(scope=scope)})
