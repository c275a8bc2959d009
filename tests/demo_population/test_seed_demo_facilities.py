"""seed_demo_facilities: a database seeded before facilities existed gets the sites, facilities and equipment
seed_demo would have written, the pupils read from the database; twice run, it writes nothing more."""
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from dashboards.models import SchoolStats
from edu_portal.common.models import current_school_year
from facilities.models import EquipmentHolding, SchoolStanding, Site, SiteFacilities
from schools.models import School
from students.models import Enrollment

from .rules import python_rule_problems

pytestmark = pytest.mark.django_db

SITE_FIELDS = ("school_id", "code", "name", "kind", "commune_id", "address", "distance_km")


def _facilities_removed(schools=None) -> None:
    """The database as seeded before issue 18: no equipment, no sites (their rows go with them), no standings."""
    for model in (EquipmentHolding, SchoolStanding, Site):
        rows = model.objects.all() if schools is None else model.objects.filter(school__in=schools)
        rows.delete()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo_facilities", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int]:
    return Site.objects.count(), SiteFacilities.objects.count(), EquipmentHolding.objects.count()


def _main_site_floor(year: int) -> dict[int, tuple[int, int]]:
    """Per school: the pupils of its rows of `year`, and the least they may be (facilities_seed gives a
    school's main site its pupils less the satellites', and at least 30)."""
    satellites, total = Counter(), Counter()
    for school_id, kind, pupils in SiteFacilities.objects.filter(school_year=year).values_list(
            "school_id", "site__kind", "pupils"):
        total[school_id] += pupils
        satellites[school_id] += pupils if kind == "satellite" else 0
    return {school_id: (total[school_id], 30 + satellites[school_id]) for school_id in total}


def test_an_old_database_gets_the_facilities_seed_demo_writes_and_a_second_run_writes_nothing():
    call_command("seed_demo", schools=80, workers=1, seed=2026, no_stats=True, stdout=io.StringIO())
    seeded_sites = set(Site.objects.values_list(*SITE_FIELDS))
    seeded = _counts()
    _facilities_removed()
    assert _counts() == (0, 0, 0)

    out = _run("--if-empty")
    # The same sites as seed_demo's (drawn from the school's code, level and province), every seeded year's
    # rows for each, and equipment of every school in every year.
    assert set(Site.objects.values_list(*SITE_FIELDS)) == seeded_sites
    assert _counts()[:2] == seeded[:2]
    years = set(range(current_school_year() - 2, current_school_year() + 1))
    assert set(SiteFacilities.objects.values_list("school_year", flat=True).distinct()) == years
    assert set(EquipmentHolding.objects.values_list("school_year", flat=True).distinct()) == years
    assert EquipmentHolding.objects.values("school").distinct().count() == School.objects.count()
    assert "80 schools" in out
    # Without statistics, each school's pupils are its open enrollments of the current year.
    open_now = Counter(dict(Enrollment.objects.filter(school_year=current_school_year()).exclude(
        status="transferred_out").order_by().values("school_id").annotate(n=Count("id")).values_list("school_id", "n")))
    for school_id, (pupils, floor) in _main_site_floor(current_school_year()).items():
        assert pupils == max(open_now[school_id], floor), school_id
    assert not python_rule_problems(Site, SiteFacilities, EquipmentHolding)
    # The standings and the figures count the new rows.
    assert SchoolStanding.objects.filter(school_year=current_school_year()).count() == School.objects.count()
    assessed = SchoolStats.objects.filter(school_year=current_school_year()).aggregate(n=Sum("fac_std_assessed"))
    assert assessed["n"] > 0

    before = _counts(), list(SiteFacilities.objects.order_by("pk").values_list("pk", "updated_at"))
    assert "nothing to do" in _run("--if-empty")
    assert "0 schools" in _run()
    assert (_counts(), list(SiteFacilities.objects.order_by("pk").values_list("pk", "updated_at"))) == before


def test_only_the_schools_without_sites_get_them_with_the_pupils_of_the_statistics():
    call_command("seed_demo", schools=80, workers=1, seed=2026, stdout=io.StringIO())
    bare = list(School.objects.order_by("code")[:5])
    kept = {row[0]: row for row in SiteFacilities.objects.exclude(school__in=bare).values_list(
        "pk", "site_id", "pupils", "updated_at")}
    _facilities_removed(bare)
    assert "nothing to do" in _run("--if-empty")  # other schools have sites
    assert not Site.objects.filter(school__in=bare).exists()

    _run("--no-stats")
    by_school = defaultdict(set)
    for school_id, kind in Site.objects.values_list("school_id", "kind"):
        by_school[school_id].add(kind)
    assert all("main" in kinds for kinds in by_school.values()) and len(by_school) == School.objects.count()
    # The other schools' rows are untouched.
    assert {row[0]: row for row in SiteFacilities.objects.exclude(school__in=bare).values_list(
        "pk", "site_id", "pupils", "updated_at")} == kept
    # Where the statistics have the school's year, their pupils are the school's.
    stats = dict(SchoolStats.objects.filter(school_year=current_school_year(), school__in=bare).values_list(
        "school_id", "pupils"))
    floors = _main_site_floor(current_school_year())
    assert set(stats) == {s.pk for s in bare}
    for school_id, pupils in stats.items():
        assert floors[school_id][0] == max(pupils, floors[school_id][1])
