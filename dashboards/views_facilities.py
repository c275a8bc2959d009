"""The facilities dashboard (issue 18): the country, a province, a commune, a school, with the same filters and
drill-down as the other dashboard pages; every table exportable (views._respond)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scope import PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.listing import PAGE_SIZES
from geo.models import Commune
from schools.selectors import school_get

from .indicators_facilities import FACILITY_METRICS, derive_facilities
from .official import FACILITIES_DOMAIN
from .presentation_facilities import (
    INDICATOR_COLUMNS,
    facilities_tables,
    school_standing_table,
    standard_pager,
    standard_tables,
)
from .selectors import province_names
from .selectors_facilities import (
    AreaPage,
    facilities_area_page,
    facilities_by_year,
    facilities_school_standing,
    facilities_standard_list,
    facilities_summary,
)
from .views import FILTER_KEYS, _digits, _kept_filters, _linker, _respond, official_read, with_official

TEMPLATE = "dashboards/facilities.html"
# Schools of each standing list on a page of a province's (or commune's) page, paged by ?met_page= and
# ?unmet_page=; the export has them all. A province has a few thousand: rendering 200 of each made the list
# most of its page's time, and nobody reads 200 rows without looking for one (the export, or the filters).
# As many as every other list of the portal shows first (issue 21): 25.
SHOWN = PAGE_SIZES[0]
PAGE_KEYS = {"met": "met_page", "unmet": "unmet_page"}
# Shown official beside live when a period that collected facilities is chosen: the counts behind the indicators,
# then the indicators (computed from the official sums as the live ones are from the live sums).
OFFICIAL_FIGURES = [("fac_sites", _("Điểm trường")), ("fac_pupils", _("Học sinh")), ("fac_classes", _("Số lớp")),
                    ("fac_classrooms", _("Phòng học")), ("fac_toilets", _("Nhà vệ sinh học sinh")),
                    ("fac_computers_pupils", _("Máy tính cho học sinh")), *INDICATOR_COLUMNS[5:]]
OFFICIAL_UNIT_FIGURES = [("standard_1_pct", _("Đạt chuẩn mức 1 (%)")), ("equipment_pct", _("Thiết bị đầy đủ (%)"))]


def _with_query(url: str, kept: str) -> str:
    return url + (f"?{kept}" if kept else "")


def _crumbs(scope: Scope, kept: str) -> list:
    if scope.kind in (PROVINCE, SCHOOL):
        return []
    return [(_("Toàn quốc"), _with_query(reverse("dashboards:facilities"), kept))]


def _page(request, *, scope: Scope, filters: dict, unit: str | None, link, title: str, crumbs: list,
          extra_tables=(), context=None, summary=None, trend=None):
    summary = summary or facilities_summary(scope=scope, filters=filters, unit=unit)
    if unit:
        for row in summary.groups[unit]:
            row["url"] = link(row["key"])
    trend = trend if trend is not None else facilities_by_year(scope=scope, filters=filters)
    groups = ((unit,) if unit else ()) + ("level", "ownership")
    official, _found = official_read(request, scope=scope, summary=summary, groups=groups, figures=OFFICIAL_FIGURES,
                                     metrics=FACILITY_METRICS, derive_row=derive_facilities, domain=FACILITIES_DOMAIN,
                                     cards=("standard_1_pct", "equipment_pct"))
    # The standings first: which schools meet the standard and what the others lack is what a province reads
    # this page for; the indicator tables follow.
    indicator_tables = facilities_tables(summary, unit, trend)
    grouped = [t for t in indicator_tables if t.name in ("fac_units", "fac_by_level", "fac_by_ownership")]
    tables = with_official(official, list(extra_tables) + indicator_tables, grouped, OFFICIAL_UNIT_FIGURES,
                           accepted=True)
    return _respond(request, TEMPLATE, {"title": title, "summary": summary, "total": summary.total, "crumbs": crumbs,
                                        "unit": unit, "hide_province": True, **official, **(context or {})}, tables)


def _filters(request) -> dict:
    return {k: request.GET.get(k) for k in FILTER_KEYS}


@login_required
def facilities_view(request):
    scope = Scope.for_user(request.user)
    kept = _kept_filters(request)
    if scope.kind == SCHOOL:
        return redirect(_with_query(reverse("dashboards:facilities_school", args=[scope.school_id]), kept))
    if scope.kind == PROVINCE:
        return redirect(_with_query(reverse("dashboards:facilities_province", args=[scope.province_code]), kept))
    return _page(request, scope=scope, filters=_filters(request), unit="province",
                 link=_linker("dashboards:facilities_province", kept), title=_("Cơ sở vật chất — Toàn quốc"),
                 crumbs=[])


def _page_number(request, key: str) -> int:
    value = request.GET.get(key, "")
    return min(int(value), 10_000) if value.isascii() and value.isdigit() and int(value) > 0 else 1


def _standards(request, scope: Scope, filters: dict, unit: str) -> tuple[list, dict, AreaPage | None]:
    """The schools meeting level 1 and the others: a page of SHOWN of each on the page (a page past the end
    shows the last), all in an export; and, but for an export, the rest of the area's page (read as one)."""
    area = None
    if request.GET.get("export"):
        standards, pages = facilities_standard_list(scope=scope, filters=filters), {}
    else:
        pages = {kind: _page_number(request, key) for kind, key in PAGE_KEYS.items()}
        area = facilities_area_page(scope=scope, filters=filters, unit=unit, limit=SHOWN, met_page=pages["met"],
                                    unmet_page=pages["unmet"])
        standards = area.standards
        last = {kind: max(1, -(-getattr(standards, f"{kind}_count") // SHOWN)) for kind in PAGE_KEYS}
        if any(pages[kind] > last[kind] for kind in PAGE_KEYS):
            pages = {kind: min(pages[kind], last[kind]) for kind in PAGE_KEYS}
            standards = facilities_standard_list(scope=scope, filters=filters, limit=SHOWN, met_page=pages["met"],
                                                 unmet_page=pages["unmet"])
    link = _linker("dashboards:facilities_school", _kept_filters(request))
    for row in standards.met + standards.unmet:
        row["url"] = link(row["key"])
    pagers = {f"fac_standard_{kind}": standard_pager(request.GET, key, getattr(standards, f"{kind}_count"), SHOWN,
                                                     pages[kind], f"fac_standard_{kind}")
              for kind, key in PAGE_KEYS.items() if pages}
    return standard_tables(standards), {"standards": standards, "shown": SHOWN, "pagers": pagers}, area


def _read(area: AreaPage | None) -> dict:
    """The area page's figures already read with its standing lists (none for an export: read by the page)."""
    return {"summary": area.summary, "trend": area.trend} if area else {}


@login_required
def facilities_province_view(request, code: str):
    scope = Scope.for_user(request.user)
    name = province_names().get(_digits(code))
    if name is None:
        raise Http404
    if not scope.contains_province(code):
        raise NotInScope()
    kept = _kept_filters(request)
    filters = _filters(request) | {"province": code}
    extra, context, area = _standards(request, scope, filters, "commune")
    return _page(request, scope=scope, filters=filters, unit="commune",
                 link=_linker("dashboards:facilities_commune", kept), title=_("Cơ sở vật chất — %(name)s") % {"name": name},
                 crumbs=_crumbs(scope, kept), extra_tables=extra, context=context, **_read(area))


@login_required
def facilities_commune_view(request, code: str):
    scope = Scope.for_user(request.user)
    commune = get_object_or_404(Commune.objects.select_related("province"), pk=_digits(code))
    if not scope.contains_province(commune.province_id):
        raise NotInScope()
    kept = _kept_filters(request)
    filters = _filters(request) | {"province": commune.province_id, "commune": code}
    crumbs = _crumbs(scope, kept) + [(commune.province.name, _with_query(
        reverse("dashboards:facilities_province", args=[commune.province_id]), kept))]
    extra, context, area = _standards(request, scope, filters, "school")
    return _page(request, scope=scope, filters=filters, unit="school",
                 link=_linker("dashboards:facilities_school", kept),
                 title=_("Cơ sở vật chất — %(name)s") % {"name": f"{commune.name}, {commune.province.name}"},
                 crumbs=crumbs, extra_tables=extra, context=context, **_read(area))


@login_required
def facilities_school_view(request, pk: int):
    scope = Scope.for_user(request.user)
    filters = {"school_year": request.GET.get("school_year")}
    school = school_get(scope=scope, pk=pk)  # not found unless in the user's scope
    school_scope = Scope(SCHOOL, school_id=pk, province_code=school.province_id)
    # The school's facilities sums (the page's figures) give the year too: its general figures are not read.
    summary = facilities_summary(scope=school_scope, filters=filters, unit=None)
    kept = _kept_filters(request)
    crumbs = _crumbs(scope, kept)
    if scope.kind != SCHOOL:
        crumbs += [(school.province.name, _with_query(reverse("dashboards:facilities_province",
                                                              args=[school.province_id]), kept)),
                   (school.commune.name, _with_query(reverse("dashboards:facilities_commune",
                                                             args=[school.commune_id]), kept))]
    standing = facilities_school_standing(scope=school_scope, school_id=pk,
                                          school_year=summary.filters["school_year"])
    return _page(request, scope=school_scope, filters=filters, unit=None, link=None, summary=summary,
                 title=_("Cơ sở vật chất — %(name)s") % {"name": school.name}, crumbs=crumbs,
                 extra_tables=[school_standing_table(standing)],
                 context={"school": school, "standing": standing, "only_year": True})
