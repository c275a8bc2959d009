"""The trends page (issue 17): every level, scoped; each table exportable; definitions beside the figures."""

import pytest
from django.urls import reverse

from accounts.models import Role
from dashboards.services import stats_refresh_all
from edu_portal.common.models import current_school_year, school_year_label
from tests.dashboards.test_flows import random_history
from tests.exports import export_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    schools = random_history(7)
    stats_refresh_all()
    return schools


def _csv(response) -> list[list[str]]:
    return export_rows(response)


def test_the_ministry_sees_each_level_over_the_years_with_the_definitions(client, ministry_user, history):
    client.force_login(ministry_user)
    page = client.get(reverse("dashboards:trends"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("trend", "flows_primary", "flows_lower_secondary", "flows_upper_secondary", "flows_grades",
                 "flows_gender", "flows_units", "intake", "definitions"):
        assert f'data-testid="table-{name}"' in html, name
    assert "Tỉ lệ bỏ học (%)" in html and "nhóm học sinh giả định theo UNESCO" in html
    rows = _csv(client.get(reverse("dashboards:trends"), {"export": "csv", "table": "flows_primary"}))
    current = current_school_year()
    assert [r[0] for r in rows[1:]] == [school_year_label(y) for y in range(current - 3, current)]
    units = _csv(client.get(reverse("dashboards:trends"), {"export": "csv", "table": "flows_units"}))
    assert {r[0] for r in units[1:]} == {"Hà Nội", "Hồ Chí Minh"} or len(units) == 3


def test_a_province_sees_its_communes_and_never_another_province(client, history):
    user = UserFactory(username="t_flows_hcm", role=Role.PROVINCE, province_id="79")
    client.force_login(user)
    units = _csv(client.get(reverse("dashboards:trends"), {"export": "csv", "table": "flows_units"}))
    assert len(units) > 1
    # Another province, or a commune or school of it, is not found, as on the other dashboard pages.
    from schools.models import School

    hanoi_school = School.objects.filter(province_id="01").first()
    for asked in ({"province": "01"}, {"commune": hanoi_school.commune_id}, {"school": hanoi_school.pk}):
        assert client.get(reverse("dashboards:trends"), asked).status_code == 404, asked


def test_a_school_sees_its_own_flows(client, history):
    from schools.models import School

    school = School.objects.get(pk=history[0])
    user = UserFactory(username="t_flows_school", role=Role.SCHOOL, school=school)
    client.force_login(user)
    grades = _csv(client.get(reverse("dashboards:trends"), {"export": "csv", "table": "flows_grades"}))
    assert all(int(r[0].split()[-1]) <= 5 for r in grades[1:])  # a primary school: grades 1-5 only


def test_a_bad_filter_is_a_message_not_a_500(client, ministry_user, history):
    client.force_login(ministry_user)
    response = client.get(reverse("dashboards:trends"), {"gender": "X"})
    assert response.status_code == 400
    assert "Giới tính" in response.content.decode()
