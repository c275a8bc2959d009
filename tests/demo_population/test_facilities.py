"""seed_demo's facilities (issue 18): every school has its sites, rows for each seeded year and equipment;
more satellites in the mountains and the Central Highlands; the rows pass the model's own rules; the
`school` login's school has exactly two sites."""
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from demo_population.population import REMOTE_PROVINCES
from demo_population.services import demo_users_ensure
from edu_portal.common.models import current_school_year
from facilities.models import EquipmentHolding, Site, SiteFacilities
from schools.models import School

pytestmark = pytest.mark.django_db


def test_every_demo_school_has_sites_facilities_and_equipment_that_pass_the_rules(settings):
    call_command("seed_demo", schools=150, workers=1, seed=2026, no_stats=True)
    schools = School.objects.count()
    sites = Site.objects.all()
    assert sites.filter(kind="main").count() == schools
    years = range(current_school_year() - 2, current_school_year() + 1)
    assert SiteFacilities.objects.count() == sites.count() * len(years)
    assert set(EquipmentHolding.objects.values_list("school_year", flat=True).distinct()) == set(years)
    assert EquipmentHolding.objects.values("school").distinct().count() == schools
    problems = Counter()
    for model in (Site, SiteFacilities, EquipmentHolding):
        for row in model.objects.all():
            try:
                row.full_clean()
            except ValidationError as exc:
                problems[(model.__name__, tuple(exc.message_dict))] += 1
    assert not problems
    # Satellites per preschool or primary school: several times more in the remote provinces.
    per_school = Counter()
    for province, level in Site.objects.filter(kind="satellite").values_list("school__province_id",
                                                                             "school__level"):
        per_school[province in REMOTE_PROVINCES] += level in ("preschool", "primary")
    small = School.objects.filter(level__in=("preschool", "primary"))
    remote = small.filter(province_id__in=REMOTE_PROVINCES).count()
    assert per_school[True] / remote > 2 * per_school[False] / (small.count() - remote)
    settings.DEMO_LOGINS_ENABLED = True
    school = {u.username: u for u in demo_users_ensure()}["school"].school
    assert Site.objects.filter(school=school).count() == 2
