"""The facilities form in headless Chromium, as a school's clerk uses it: the menu, the main site, a
contradiction refused next to its field without leaving the page (htmx), then saved in place."""
import pytest

from edu_portal.common.models import current_school_year
from facilities.models import SiteFacilities
from tests.conftest import save_artifact
from tests.facilities.helpers import main_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_school_records_a_sites_facilities_in_place(page, login, live_server, school_user, school_a):
    site = main_site(school_a)
    login(page, school_user)
    page.get_by_test_id("nav-group-records").click()  # its menu in the navigation bar
    page.click("text=Cơ sở vật chất")
    page.wait_for_url(f"{live_server.url}/facilities/schools/{school_a.pk}/")
    prefix = f"#id_site{site.pk}-"
    for field, value in {"pupils": "300", "classes": "10", "classrooms_solid": "8", "classrooms_in_use": "12",
                         "toilets_male": "5", "toilets_male_standard": "5"}.items():
        page.fill(prefix + field, value)
    page.get_by_test_id("facilities-save").click()
    error = page.get_by_test_id("error-classrooms_in_use")
    error.wait_for()
    assert "lớn hơn tổng số phòng học" in error.inner_text()
    assert page.url.endswith(f"/facilities/schools/{school_a.pk}/")  # answered in place, the page kept
    assert not SiteFacilities.objects.exists()
    page.fill(prefix + "classrooms_in_use", "8")
    page.get_by_test_id("facilities-save").click()
    page.get_by_test_id("saved").wait_for()
    save_artifact(page, "facilities-site-saved")
    row = SiteFacilities.objects.get(site=site, school_year=current_school_year())
    assert (row.pupils, row.classes, row.classrooms_in_use) == (300, 10, 8)
