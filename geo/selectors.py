"""Reads on the reference data (administrative units, ethnic groups; loaded by geo/services.py)."""
from __future__ import annotations

from django.utils.translation import gettext

from edu_portal.common.exceptions import AppError

from .ethnicity import ethnicity_key, ethnicity_lookup_build
from .models import Commune, EthnicGroup, PopulationCount, Province

# Shown wherever an ethnicity is refused: uploads (row message), forms and the API.
ETHNICITY_UNKNOWN = ("không có trong danh mục 54 dân tộc (Quyết định 121-TCTK/PPCĐ); ghi tên, tên gọi khác "
                     "hoặc mã 2 chữ số, xem danh sách tên và mã ở trang Mã hợp lệ của tệp mẫu")
ETHNICITY_DEFAULT = "Kinh"


def province_codes() -> frozenset[str]:
    return frozenset(Province.objects.values_list("code", flat=True))


def commune_provinces() -> dict[str, str]:
    """Commune code -> its province's code."""
    return dict(Commune.objects.values_list("code", "province_id"))


def ethnic_groups() -> list[tuple[str, str]]:
    """(code, official name) of the 54 groups, in code order."""
    return list(EthnicGroup.objects.order_by("code").values_list("code", "name"))


def ethnicity_lookup() -> dict[str, str]:
    """Spelling-blind key -> official name, for the names and every known alias."""
    return ethnicity_lookup_build(EthnicGroup.objects.values_list("code", "name", "aliases"))


def ethnicity_normalize(value: str | None, *, lookup: dict[str, str] | None = None) -> str | None:
    """The official name for `value` (a code, an official name or an alias, in any case, with or
    without diacritics and hyphens); Kinh when empty; None when it names no group."""
    if not (value or "").strip():
        return ETHNICITY_DEFAULT
    return (ethnicity_lookup() if lookup is None else lookup).get(ethnicity_key(value))


def ethnicity_official_or_raise(value: str | None) -> str:
    """The services' rule, so forms, the API and the admin store what an upload would."""
    name = ethnicity_normalize(value)
    if name is None:
        raise AppError(gettext("Dân tộc '%(value)s' %(ETHNICITY_UNKNOWN)s.") % {"value": value, "ETHNICITY_UNKNOWN": ETHNICITY_UNKNOWN}, details={"ethnicity": [ETHNICITY_UNKNOWN]})
    return name


def population_as_of() -> str:
    """When the population figures last changed (ISO time, "" when there are none): part of the
    dashboards' cache keys, so that a new fetch is seen without recomputing the statistics."""
    latest = PopulationCount.objects.order_by("-fetched_at").values_list("fetched_at", flat=True).first()
    return latest.isoformat() if latest else ""


def population_years() -> list[int]:
    return sorted(PopulationCount.objects.values_list("school_year", flat=True).distinct())
