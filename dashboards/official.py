"""Official figures beside live ones (issue 19): the pages and the statistics API, given ?period=<id>, show the
figures frozen when each school's report of that period was approved next to the statistics as they are now.

The periods and the frozen figures belong to the reporting app, a layer above this one: it registers its reader
here when it starts (reporting.apps), so that dashboards never imports it (docs/architecture.md, "by discovery").
Without it (or without any period) the pages are live only.

What "official" means here: the sum of the frozen rows of the schools in the selection whose report of the period
was approved (a report re-opened keeps its frozen row until it is approved again); "accepted" (published) counts
those of provinces the ministry accepted. The coverage says how many of the selection's schools each covers, so a
reader knows when an official total is partial.
"""
from __future__ import annotations

import hashlib
import pickle  # noqa: S403 - our own sums, written by our own processes
from dataclasses import dataclass, field
from typing import Protocol

from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.scope import PROVINCE, Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.memo import Kept

from .cache import SHARED_TTL, SharedVersion, dumps, shared_call

# The figures shown official beside live on the general pages, and in the API (plus their ratios).
OFFICIAL_METRICS = ["pupils", "pupils_female", "pupils_male", "staff", "staff_teacher", "teachers_qualified",
                    "pupils_without_id"]
FACILITIES_DOMAIN = "facilities"
VERSION_KEY = "dashboards:official_version"
PERIODS_VERSION_KEY = "dashboards:periods_version"


@dataclass(frozen=True)
class Period:
    """A reporting period as the dashboards need it (the reporting app's ReportingPeriod, read by its source)."""

    id: int
    school_year: int
    kind: str
    label: str  # in the active language: "Cuối học kỳ I 2026-2027"
    domains: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"id": self.id, "school_year": self.school_year, "kind": self.kind, "label": self.label,
                "domains": list(self.domains)}


@dataclass
class Official:
    """Official sums of a selection: the total and each group's rows by key, each with `approved` (schools with
    frozen figures) and `accepted` (of those, in provinces the ministry accepted)."""

    period: Period
    total: dict
    groups: dict[str, dict] = field(default_factory=dict)


class OfficialSource(Protocol):
    def periods(self, *, school_year: int) -> list[Period]: ...

    def period(self, pk: int) -> Period | None: ...

    def sums(self, *, scope: Scope, period: Period, filters: dict, groups: tuple[str, ...],
             metrics: list[str]) -> tuple[dict, dict[str, dict]]: ...


_SOURCE: list[OfficialSource] = []


def register(source: OfficialSource) -> None:
    _SOURCE[:] = [source]


_PERIODS: Kept[list[Period]] = Kept(limit=64)


def periods(*, school_year: int) -> list[Period]:
    """The school year's reporting periods (the page's picker), cached under the periods' version (bumped when a
    period is opened: periods_changed): every dashboard page asks, and most pages never choose one."""
    if not _SOURCE:
        return []
    version = _PERIODS_VERSION.get()
    key = (f"dashboards:periods:{version}:{connection.settings_dict['NAME']}:{int(school_year)}:"
           f"{translation.get_language()}") if version else None

    def read() -> list[Period]:
        found = shared_call(cache.get, key) if key else None
        if found is None:
            found = _SOURCE[0].periods(school_year=school_year)
            if key:
                shared_call(cache.set, key, found, SHARED_TTL)
        return found

    # Kept by this process too, under the same key (a new version is a new key): a round trip less on every page.
    return list(_PERIODS.get(key, read) if key else read())


_OFFICIAL_VERSION = SharedVersion(VERSION_KEY)
# The periods' own version: the picker's list changes when a period is opened, not with every approval or
# acceptance (which move VERSION_KEY), so that those do not send every page back to the database for it.
_PERIODS_VERSION = SharedVersion(PERIODS_VERSION_KEY)


def official_version() -> str:
    """Bumped by the reporting app after every commit that changes frozen figures or acceptances: part of the
    key of every cached official answer (the statistics' version does not move when a province is accepted)."""
    # Read once a request: a page asks for its periods and its sums.
    return _OFFICIAL_VERSION.get()


def official_version_bump() -> None:
    _OFFICIAL_VERSION.bump()


def periods_version_bump() -> None:
    _PERIODS_VERSION.bump()


def official_changed() -> None:
    """Called by a write of frozen figures, acceptances or periods: the cached official answers dropped now and at
    commit, as the statistics' refresh does (SharedVersion.changed)."""
    _OFFICIAL_VERSION.changed()


def periods_changed() -> None:
    """Called by a write of reporting periods (one opened): the pickers' cached lists dropped now and at commit,
    and the official answers too."""
    _PERIODS_VERSION.changed()
    official_changed()


def period_from(value, *, school_year: int | None = None, choices: list[Period] | None = None) -> Period | None:
    """The period asked for (?period=), checked: None when none is asked; a malformed or unknown id, or a period
    of another school year than the one asked for, is refused (AppError, in the reader's language). `choices`:
    the year's periods when the caller has them already (the page's picker)."""
    if value in (None, ""):
        return None
    try:
        pk = int(str(value))
    except ValueError:
        pk = 0
    try:
        school_year = int(school_year) if school_year not in (None, "") else None
    except (TypeError, ValueError):
        school_year = None  # a malformed year is the filters' to refuse
    # A page asks for the year's periods anyway (its picker; cached): the period chosen is among them, unless the
    # id is of another year or of none (then asked of the source, to say which).
    if choices is None and school_year is not None:
        choices = periods(school_year=school_year)
    found = [p for p in choices or () if p.id == pk and p.school_year == school_year]
    period = found[0] if found else (_SOURCE[0].period(pk) if _SOURCE and 0 < pk < 2**63 else None)
    if period is None:
        raise AppError(_("Không có kỳ báo cáo %(period)s.") % {"period": str(value)[:20]}, code="invalid_period",
                       details={"period": [_("Không có kỳ báo cáo này.")]})
    if school_year is not None and school_year != period.school_year:
        raise AppError(_("Kỳ báo cáo %(period)s thuộc năm học %(year)s, không phải năm học %(asked)s đang xem.")
                       % {"period": period.label, "year": f"{period.school_year}-{period.school_year + 1}",
                          "asked": f"{school_year}-{school_year + 1}"},
                       code="period_year_mismatch", details={"period": [_("Kỳ báo cáo của năm học khác.")]})
    return period


def require_domain(period: Period, domain: str) -> None:
    """Facilities figures are official only for a period that asked for them (its approval froze them)."""
    if domain not in period.domains:
        raise AppError(_("Kỳ báo cáo %(period)s không thu thập số liệu cơ sở vật chất: không có số liệu chính thức "
                         "về cơ sở vật chất.") % {"period": period.label}, code="period_without_domain",
                       details={"period": [_("Kỳ báo cáo không gồm nội dung này.")]})


def official_summary(*, scope: Scope, period: Period, filters: dict, groups: tuple[str, ...] = (),
                     metrics: list[str] | None = None, derive_row=None, derive_groups: bool = True) -> Official:
    """The official sums of the selection (`filters`: the cleaned filters of the live summary), by `groups`,
    each row's indicators computed from its sums by `derive_row` as the live rows' are (the total's only with
    `derive_groups` False: a page whose tables by group show sums only; a province's communes are hundreds of
    rows). One grouped query."""
    metrics = list(metrics or OFFICIAL_METRICS)
    total, by_group = _sums(scope=scope, period=period, filters=filters, groups=groups, metrics=metrics)
    derive = derive_row or (lambda row: row)
    derive_group = derive if derive_groups else (lambda row: row)
    empty = {m: 0 for m in metrics} | {"approved": 0, "accepted": 0}
    return Official(period=period, total=derive({**empty, **total}),
                    groups={g: {k: derive_group({**empty, **row}) for k, row in by_group.get(g, {}).items()}
                            for g in groups})


def _sums(*, scope: Scope, period: Period, filters: dict, groups: tuple[str, ...], metrics: list[str]):
    """The source's sums, cached under the official version (a national period's frozen rows are read once per
    approval or acceptance, not once per page)."""
    version = official_version()
    key = None
    if version:
        parts = (connection.settings_dict["NAME"], scope.kind, scope.province_code, scope.school_id, period.id,
                 sorted((k, str(v)) for k, v in filters.items()), groups, metrics)
        key = f"dashboards:ob:{version}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"
        found = shared_call(cache.get_bytes, key)
        if isinstance(found, bytes):
            return pickle.loads(found)  # noqa: S301 - our own sums, written by our own processes (dashboards.cache)
    found = _SOURCE[0].sums(scope=scope, period=period, filters=filters, groups=groups, metrics=metrics)
    if key:
        shared_call(cache.set_bytes, key, dumps(found), SHARED_TTL)
    return found


def beside(live_row: dict, official_row: dict | None, keys: list[str]) -> dict:
    """A live row with its official figures (official_<key>), their difference (diff_<key> = live - official;
    None where either is not a number) and its coverage (approved, accepted). Returns the row."""
    official_row = official_row or {}
    live_row["approved"] = official_row.get("approved", 0)
    live_row["accepted"] = official_row.get("accepted", 0)
    for key in keys:
        # A unit without any approved school has no official figures (a dash), not zeros.
        official = official_row.get(key) if live_row["approved"] else None
        live = live_row.get(key)
        live_row[f"official_{key}"] = official
        live_row[f"diff_{key}"] = (round(live - official, 2) if isinstance(live, int | float)
                                   and isinstance(official, int | float) else None)
    return live_row


def official_warm(*, period_id: int, province_codes=()) -> None:
    """After an approval or an acceptance commits (in a worker, reporting.official_warm): compute the official sums
    the most read pages and answers ask for, so that no reader waits for them (the country's are a read of every
    frozen row of the period: ~0.4 s at national size): the national page and the API's overview and provinces,
    and the page of each province named, as the ministry and as the province see it. Their keys are those the
    pages build (the live summary's cleaned filters, these groups, OFFICIAL_METRICS)."""
    period = _SOURCE[0].period(int(period_id)) if _SOURCE else None
    if period is None:
        return
    metrics = list(OFFICIAL_METRICS)
    year = {"school_year": period.school_year}
    country = Scope.country()
    for groups in (("province", "level", "ownership"), ("level", "ownership"), ("province",)):
        _sums(scope=country, period=period, filters=year, groups=groups, metrics=metrics)
    for code in sorted(set(province_codes)):
        for scope in (country, Scope(PROVINCE, province_code=code)):
            _sums(scope=scope, period=period, filters=year | {"province": code}, groups=("commune", "level", "ownership"),
                  metrics=metrics)
