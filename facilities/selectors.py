"""Reads on sites, facilities and equipment, always through the caller's scope."""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from schools.models import School, SchoolLevel, grades_taught

from .filtersets import EquipmentHoldingFilterSet, SiteFacilitiesFilterSet, SiteFilterSet
from .models import EquipmentHolding, EquipmentItem, QuantityBasis, Site, SiteFacilities
from .standard import SchoolFacts, SiteFacts, StandardResult, Standing, evaluate


def _school_or_raise(scope: Scope, school: School) -> None:
    if not scope.contains_school(school):
        raise NotInScope()


# --- sites ------------------------------------------------------------------------------------------------

def site_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[Site]:
    qs = scope.filter(Site.objects.select_related("school", "commune"))
    return SiteFilterSet(filters, queryset=qs).qs


def sites_of_school(*, scope: Scope, school: School, active_only: bool = False) -> QuerySet[Site]:
    """The school's sites, the main one first."""
    _school_or_raise(scope, school)
    qs = Site.objects.filter(school=school).select_related("commune")
    return qs.filter(active=True) if active_only else qs


def site_get(*, scope: Scope, pk: int) -> Site:
    site = scope.filter(Site.objects.select_related("school", "school__province", "commune")).filter(pk=pk).first()
    if site is None:
        raise NotInScope()
    return site


# --- facilities -------------------------------------------------------------------------------------------

def site_facilities_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[SiteFacilities]:
    qs = scope.filter(SiteFacilities.objects.select_related("site", "school"))
    return SiteFacilitiesFilterSet(filters, queryset=qs).qs


def site_facilities_of_year(*, scope: Scope, school: School, school_year: int) -> dict[int, SiteFacilities]:
    """Site id -> its row of the year (sites without one are absent)."""
    _school_or_raise(scope, school)
    return {row.site_id: row for row in SiteFacilities.objects.filter(school=school, school_year=school_year)}


SUMMED = ("pupils", "classes", "land_area_m2", "classrooms_solid", "classrooms_semi_solid", "classrooms_temporary",
          "classrooms_borrowed", "classrooms_in_use", "classrooms_need_repair", "classroom_floor_area_m2",
          "subject_rooms", "library_rooms", "computer_rooms", "laboratories", "multipurpose_halls", "medical_rooms",
          "toilets_male", "toilets_male_standard", "toilets_female", "toilets_female_standard", "toilets_staff",
          "computers_teaching", "computers_pupils")


def school_facilities(*, scope: Scope, school: School, school_year: int) -> dict:
    """The school's facilities of a year: its active sites' rows summed, with how many active sites there are
    and how many have a row. An area is None when some site with a row left it empty (a sum would understate
    it); counts of sites lacking water, power or internet are given too."""
    _school_or_raise(scope, school)
    return facilities_by_school(school_ids=[school.pk], school_year=school_year).get(school.pk) or {
        "sites": Site.objects.filter(school=school, active=True).count(), "sites_reported": 0}


def facilities_by_school(*, school_ids: list[int], school_year: int) -> dict[int, dict]:
    """school_facilities for many schools in one query (the standard over a province; the dashboards later)."""
    active = Q(site__active=True)
    rows = (SiteFacilities.objects.filter(active, school_id__in=school_ids, school_year=school_year)
            .values("school_id")
            .annotate(sites_reported=Count("id"),
                      land_missing=Count("id", filter=Q(land_area_m2__isnull=True)),
                      floor_missing=Count("id", filter=Q(classroom_floor_area_m2__isnull=True)),
                      sites_no_water=Count("id", filter=Q(water_source="none")),
                      sites_no_power=Count("id", filter=Q(electricity="none")),
                      sites_no_internet=Count("id", filter=Q(internet="none")),
                      **{f: Sum(f) for f in SUMMED}))
    sites = dict(Site.objects.filter(school_id__in=school_ids, active=True).values("school_id")
                 .annotate(n=Count("id")).values_list("school_id", "n"))
    out = {}
    for row in rows:
        school_id = row.pop("school_id")
        if row.pop("land_missing"):
            row["land_area_m2"] = None
        if row.pop("floor_missing"):
            row["classroom_floor_area_m2"] = None
        row["sites"] = sites.get(school_id, 0)
        out[school_id] = row
    return out


# --- the standard (Thông tư 13/2020) -------------------------------------------------------------------------

def school_facts(*, school: School, school_year: int) -> SchoolFacts | None:
    """The facts the standard reads, from the school's active sites and their rows of the year; None when no
    active site has a row that year."""
    sites = list(Site.objects.filter(school=school, active=True))
    rows = {r.site_id: r for r in SiteFacilities.objects.filter(site__in=sites, school_year=school_year)}
    if not rows:
        return None
    summed = facilities_by_school(school_ids=[school.pk], school_year=school_year)[school.pk]
    site_facts = tuple(
        SiteFacts(name=s.name, kind=s.kind, classes=rows[s.pk].classes, water_source=rows[s.pk].water_source,
                  electricity=rows[s.pk].electricity, internet=rows[s.pk].internet)
        for s in sites if s.pk in rows)
    # A site with no row this year: not reported, so its classes and rooms are unknown; it still counts as a
    # site (scale), and the land area is unknown.
    land = summed["land_area_m2"] if len(rows) == len(sites) else None
    fields = {f: summed[f] or 0 for f in SchoolFacts.__dataclass_fields__ if f in summed and f not in ("land_area_m2", "sites")}
    return SchoolFacts(level=school.level, sites=site_facts + tuple(
        SiteFacts(name=s.name, kind=s.kind, classes=0, water_source="", electricity="", internet="")
        for s in sites if s.pk not in rows), land_area_m2=land, **fields)


def facilities_standard(*, scope: Scope, school: School, school_year: int) -> StandardResult:
    """The school's standing under Thông tư 13/2020 in a school year (none / level 1 / level 2), with the unmet
    criteria and what each lacks (facilities/standard.py)."""
    _school_or_raise(scope, school)
    if school.level == SchoolLevel.CONTINUING:
        return StandardResult(Standing.NOT_APPLICABLE)
    facts = school_facts(school=school, school_year=school_year)
    if facts is None:
        return StandardResult(Standing.NO_DATA)
    return evaluate(facts)


# --- equipment ----------------------------------------------------------------------------------------------

def taught_grades(level: str) -> list[int]:
    """The grades whose equipment a school of this level needs: preschool is grade 0; a general-education
    school of several levels (liên cấp, phổ thông) teaches grades 1-12, not preschool."""
    low, high = grades_taught(level)
    grades = list(range(low, high + 1))
    return grades if level == SchoolLevel.PRESCHOOL else [g for g in grades if g > 0]


def equipment_items_for(*, school: School) -> QuerySet[EquipmentItem]:
    """The catalogue items of the grades the school teaches."""
    grades = taught_grades(school.level)
    return EquipmentItem.objects.filter(grade_from__lte=max(grades), grade_to__gte=min(grades))


def equipment_holdings(*, scope: Scope, filters: dict | None = None) -> QuerySet[EquipmentHolding]:
    qs = scope.filter(EquipmentHolding.objects.select_related("item", "school"))
    return EquipmentHoldingFilterSet(filters, queryset=qs).qs


def required_quantity(item: EquipmentItem, *, grades: list[int], classes: int) -> int:
    """The least quantity of `item` a school teaching `grades` with `classes` classes must hold: per school the
    item's minimum; per grade the minimum times the grades of the item's range it teaches; per class the
    minimum times its classes in those grades. Classes per grade are not on the facilities rows: the
    school's classes are spread evenly over its grades, at least one class a grade."""
    covered = [g for g in grades if item.grade_from <= g <= item.grade_to]
    if not covered:
        return 0
    if item.per == QuantityBasis.PER_SCHOOL:
        return item.min_quantity
    if item.per == QuantityBasis.PER_GRADE:
        return item.min_quantity * len(covered)
    return item.min_quantity * math.ceil(max(classes, len(grades)) * len(covered) / len(grades))


@dataclass(frozen=True)
class EquipmentLine:
    item: EquipmentItem
    required: int
    quantity: int
    working: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.working)


@dataclass(frozen=True)
class EquipmentCompleteness:
    lines: tuple[EquipmentLine, ...]

    @property
    def required(self) -> int:
        return sum(line.required for line in self.lines)

    @property
    def present(self) -> int:
        """Working items counted up to what is required (a surplus of one item does not make up for another)."""
        return sum(min(line.working, line.required) for line in self.lines)

    @property
    def share(self) -> float | None:
        """Working items against the catalogue's minimum, 0-1 (None: nothing required)."""
        return self.present / self.required if self.required else None

    @property
    def items_complete(self) -> int:
        return sum(1 for line in self.lines if line.missing == 0)


def equipment_completeness(*, scope: Scope, school: School, school_year: int) -> EquipmentCompleteness:
    """Per catalogue item of the school's grades: required, present, working (the holdings of the year)."""
    _school_or_raise(scope, school)
    grades = taught_grades(school.level)
    classes = SiteFacilities.objects.filter(school=school, school_year=school_year, site__active=True).aggregate(
        n=Sum("classes"))["n"] or 0
    held = {h.item_id: h for h in EquipmentHolding.objects.filter(school=school, school_year=school_year)}
    lines = []
    for item in equipment_items_for(school=school):
        holding = held.get(item.pk)
        lines.append(EquipmentLine(item=item, required=required_quantity(item, grades=grades, classes=classes),
                                   quantity=holding.quantity if holding else 0,
                                   working=holding.working if holding else 0))
    return EquipmentCompleteness(tuple(lines))
