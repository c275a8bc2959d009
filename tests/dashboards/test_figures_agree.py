"""One definition per figure (issue 21): the home page, the dashboard, the statistics API and the dashboard's export
show the same number for the same named figure, and the name says what is counted (the pupils studying this school
year, not every pupil record; staff working; verified pupils and verified staff apart)."""
import csv
import io
import re

import pytest
from django.conf import settings

from accounts.scope import Scope
from dashboards.services import stats_refresh_all
from edu_portal.common.models import current_school_year, school_year_label
from students.models import Student
from students.services import school_year_start, student_withdraw
from teachers.models import StaffMember
from tests.dashboards.test_api import token_client

pytestmark = pytest.mark.django_db


def figure(html: str, key: str) -> int:
    match = re.search(rf'data-testid="fig-{key}">([^<]*)<', html)
    assert match, key
    return int(re.sub(r"[.,\s]", "", match.group(1)))


def label(html: str, key: str) -> str:
    return re.search(rf'data-testid="fig-label-{key}">([^<]*)<', html).group(1)


@pytest.fixture
def figures_world(world):
    """The dashboards' world with what makes record counts and figures differ: a pupil who left this year, a
    retired staff member, and some identities verified."""
    leaver = Student.objects.order_by("pk").first()
    student_withdraw(scope=Scope.country(), student=leaver, status="dropped_out",
                     left_on=school_year_start(current_school_year()), reason="Gia đình chuyển đi")
    StaffMember.objects.filter(pk=StaffMember.objects.order_by("-pk").values("pk")[:1]).update(
        employment_status="retired")
    Student.objects.filter(pk__in=Student.objects.order_by("pk").values("pk")[1:6]).update(
        verification_status="verified")
    StaffMember.objects.filter(pk__in=StaffMember.objects.order_by("pk").values("pk")[3:5]).update(
        verification_status="verified")
    stats_refresh_all()
    return world


@pytest.mark.parametrize("language", ["vi", "en"])
def test_home_dashboard_api_and_export_show_the_same_named_figures(client, figures_world, ministry_user, language):
    client.force_login(ministry_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    home = client.get("/").content.decode()
    dashboard = client.get("/dashboards/").content.decode()
    api = token_client(ministry_user, Scope.country()).get("/api/v1/stats/overview/").json()
    export = list(csv.reader(io.StringIO(client.get("/dashboards/?export=csv&table=by_level").content.decode()
                                         .lstrip("\ufeff")), delimiter=";" if language == "vi" else ","))
    # The export opens with its title and "as of" lines; the table's header is the row naming the columns.
    pupils_column, staff_column = {"vi": ("Học sinh", "Cán bộ, giáo viên"), "en": ("Pupils", "Staff")}[language]
    header = next(row for row in export if pupils_column in row and staff_column in row)
    total_row = [row for row in export if row][-1]

    studying = Student.objects.filter(enrollments__school_year=current_school_year(),
                                      enrollments__status="studying").distinct()
    working = StaffMember.objects.filter(employment_status="working")
    expected = {"pupils": studying.count(), "staff": working.count(),
                "pupils_verified": studying.filter(verification_status="verified").count(),
                "staff_verified": working.filter(verification_status="verified").count()}
    # The figures are not the record counts, which is why each is named.
    assert expected["pupils"] < Student.objects.count() and expected["staff"] < StaffMember.objects.count()
    assert 0 < expected["pupils_verified"] < expected["pupils"] and 0 < expected["staff_verified"]

    for key, value in expected.items():
        assert figure(home, key) == figure(dashboard, key) == value, key
        assert label(home, key) == label(dashboard, key), key
    assert figure(home, "schools") == figure(dashboard, "schools") == api["schools"]
    assert api["students"] == expected["pupils"] and api["staff"] == expected["staff"]
    assert int(total_row[header.index(pupils_column)]) == expected["pupils"]
    assert int(total_row[header.index(staff_column)]) == expected["staff"]

    year = school_year_label(current_school_year())
    pupils_label = {"vi": f"Học sinh đang học năm học {year}", "en": f"Pupils studying in {year}"}[language]
    assert label(home, "pupils") == pupils_label
    assert {"vi": "đã xác thực", "en": "verified"}[language] in label(home, "pupils_verified")


def test_figures_use_the_language_thousands_separator(client, ministry_user):
    from django.utils import translation

    from dashboards.templatetags.dashboards import num

    with translation.override("vi"):
        assert num(38809) == "38.809"
    with translation.override("en"):
        assert num(38809) == "38,809"
