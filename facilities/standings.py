"""Writes the schools' standings under Thông tư 13/2020 (SchoolStanding) in bulk: the same facts and the same
evaluation as the per-school selector (selectors.facilities_standard), read set-wise so that the country's
54,000 schools take seconds, not one query per school.

The statistics refresh calls `standings_refresh` inside its own transaction, for the schools it refreshes
(every school when it recomputes every year), before it counts the standings: the figures and the table
never disagree. Facilities writes enqueue that refresh after they commit ("dashboards.refresh_schools").
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from schools.models import School, SchoolLevel

from .models import SchoolStanding, Site, SiteFacilities
from .selectors import SUMMED
from .standard import SchoolFacts, SiteFacts, Standing, evaluate

# The SchoolFacts counts read from the rows (every summed count the standard looks at).
_FACT_FIELDS = tuple(f for f in SchoolFacts.__dataclass_fields__ if f in SUMMED and f != "land_area_m2")
_ROW_FIELDS = ("site_id", "school_id", "school_year", "land_area_m2", "water_source", "electricity", "internet",
               *_FACT_FIELDS)
_BATCH = 2000
# SchoolStanding.meets_level_1 of each standing: the schools listed as meeting level 1 and as not meeting it.
_MEETS_LEVEL_1 = {Standing.LEVEL_1: True, Standing.LEVEL_2: True, Standing.NONE: False}


def _amount(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _facts(level: str, sites: list[Site], rows: dict[int, dict]) -> SchoolFacts:
    """selectors.school_facts for one school and year, from rows already read (site id -> row of the year)."""
    summed = {f: sum(r[f] for r in rows.values()) for f in _FACT_FIELDS}
    # An area is unknown when a site with a row left it empty, or when an active site has no row.
    lands = [r["land_area_m2"] for r in rows.values()]
    land = sum(lands) if None not in lands and len(rows) == len(sites) else None
    site_facts = tuple(SiteFacts(name=s.name, kind=s.kind, classes=rows[s.pk]["classes"],
                                 water_source=rows[s.pk]["water_source"], electricity=rows[s.pk]["electricity"],
                                 internet=rows[s.pk]["internet"]) for s in sites if s.pk in rows)
    missing = tuple(SiteFacts(name=s.name, kind=s.kind, classes=0, water_source="", electricity="", internet="")
                    for s in sites if s.pk not in rows)
    return SchoolFacts(level=level, sites=site_facts + missing, land_area_m2=land, **summed)


def standings_compute(*, school_ids: list[int] | None = None) -> list[SchoolStanding]:
    """The standings of these schools (None: every school) in every school year where an active site of theirs
    has a row; not saved."""
    sites_qs = Site.objects.filter(active=True).order_by("school_id", "kind", "code").only("id", "school_id",
                                                                                          "name", "kind")
    rows_qs = SiteFacilities.objects.filter(site__active=True)
    schools_qs = School.objects.all()
    if school_ids is not None:
        sites_qs = sites_qs.filter(school_id__in=school_ids)
        rows_qs = rows_qs.filter(school_id__in=school_ids)
        schools_qs = schools_qs.filter(pk__in=school_ids)
    # What the standing copies of its school (SchoolStanding: a province's list is read in order from its index).
    copied = ("level", "province_id", "name", "code", "commune_id", "ownership")
    schools = {row[0]: dict(zip(copied, row[1:], strict=True)) for row in schools_qs.values_list("pk", *copied)}
    sites: dict[int, list[Site]] = defaultdict(list)
    for site in sites_qs:
        sites[site.school_id].append(site)
    now = timezone.now()
    out = []
    years = sorted(set(rows_qs.order_by().values_list("school_year", flat=True).distinct()))
    for year in years:  # one year at a time: a national year is ~100,000 rows
        by_school: dict[int, dict[int, dict]] = defaultdict(dict)
        for values in rows_qs.filter(school_year=year).values_list(*_ROW_FIELDS).iterator(chunk_size=5000):
            row = dict(zip(_ROW_FIELDS, values, strict=True))
            by_school[row["school_id"]][row["site_id"]] = row
        for school_id, rows in by_school.items():
            school = schools.get(school_id)
            if school is None:
                continue
            level = school["level"]
            if level == SchoolLevel.CONTINUING:
                result_standing, unmet = Standing.NOT_APPLICABLE, []
            else:
                result = evaluate(_facts(level, sites[school_id], rows))
                result_standing = result.standing
                unmet = [[u.criterion.code, u.standard_level, _amount(u.shortfall.missing)] for u in result.unmet]
            out.append(SchoolStanding(school_id=school_id, province_id=school["province_id"], school_year=year,
                                      standing=result_standing, unmet=unmet, computed_at=now,
                                      meets_level_1=_MEETS_LEVEL_1.get(result_standing),
                                      school_name=school["name"], school_code=school["code"],
                                      commune_id=school["commune_id"], level=level, ownership=school["ownership"]))
    return out


@transaction.atomic
def standings_refresh(*, school_ids: list[int] | None = None) -> int:
    """Recompute and replace the standings of these schools (None: every school). Safe to run twice: the
    rows are replaced as a whole. Returns the rows written."""
    standings = standings_compute(school_ids=school_ids)
    old = SchoolStanding.objects.all() if school_ids is None else SchoolStanding.objects.filter(
        school_id__in=school_ids)
    old.delete()
    SchoolStanding.objects.bulk_create(standings, batch_size=_BATCH)
    return len(standings)
