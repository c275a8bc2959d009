"""A ministry user opens the overview in headless Chromium and drills down to one school."""
import pytest

from dashboards.services import stats_refresh_all
from students.models import Enrollment
from tests.conftest import save_artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ministry_drills_down_to_a_school(page, login, live_server, ministry_user, world):
    stats_refresh_all()
    school = world[0]  # Hà Nội
    login(page, ministry_user)
    page.goto(f"{live_server.url}/dashboards/")
    assert "Số liệu tính đến" in page.get_by_test_id("computed-at").inner_text()
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0 && "
                           "Chart.getChart(document.querySelector('canvas[data-chart]')) !== undefined")
    save_artifact(page, "dashboards_overview")
    page.get_by_test_id("table-units").locator("tr[data-key='01'] a").click()
    page.wait_for_url("**/dashboards/provinces/01/**")
    page.get_by_test_id("table-units").locator(f"tr[data-key='{school.commune_id}'] a").click()
    page.wait_for_url(f"**/dashboards/communes/{school.commune_id}/**")
    page.get_by_test_id("table-units").locator(f"tr[data-key='{school.pk}'] a").click()
    page.wait_for_url(f"**/dashboards/schools/{school.pk}/**")
    pupils = Enrollment.objects.filter(school=school, status="studying").count()
    assert pupils > 0
    assert page.get_by_test_id("fig-pupils").inner_text().replace(".", "").replace(",", "") == str(pupils)
    save_artifact(page, "dashboards_school")
    page.get_by_test_id("school-students-link").click()
    page.wait_for_url(f"**/students/?school={school.pk}")


def test_ministry_reads_the_flows_over_the_years_with_their_definitions_in_english(page, login, live_server,
                                                                                   ministry_user):
    from tests.dashboards.test_flows import random_history

    random_history(9)
    stats_refresh_all()
    login(page, ministry_user)
    page.goto(f"{live_server.url}/dashboards/trends/")
    page.wait_for_function("Chart.getChart(document.querySelector(\"canvas[data-chart='chart-flows_primary']\"))"
                           " !== undefined")
    chart = page.evaluate("Chart.getChart(document.querySelector(\"canvas[data-chart='chart-flows_primary']\"))"
                          ".data.labels.length")
    assert chart == 3  # three school years with their next year on record
    assert "UNESCO" in page.get_by_test_id("table-definitions").inner_text()
    save_artifact(page, "dashboards_trends")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/dashboards/trends/")
    text = page.get_by_test_id("table-definitions").inner_text()
    assert "Dropout rate (%)" in text and "reconstructed cohort" in text and "Tỉ lệ" not in text
    assert "flows of pupils over the school years" in page.get_by_test_id("table-flows_primary").inner_text()
    # On a phone (390 px): the page does not scroll sideways; wide tables scroll inside their card.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dashboards/trends/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_test_id("table-flows_primary").bounding_box()["width"] <= 390
    save_artifact(page, "dashboards_trends_390px")
