"""The facilities pages: who reaches them, what the htmx form saves and refuses, in Vietnamese and English."""
import pytest
from django.urls import reverse

from edu_portal.common.models import current_school_year
from facilities.models import EquipmentHolding, Site, SiteFacilities
from tests.facilities.helpers import GOOD_PRIMARY, facilities, main_site, satellite

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


def _form(site, **values) -> dict:
    data = {f"site{site.pk}-{k}": v for k, v in {**GOOD_PRIMARY, "school_year": YEAR, **values}.items()}
    data["school_year"] = YEAR
    return data


def test_the_menu_leads_a_school_user_to_their_school(client, school_user, school_a):
    client.force_login(school_user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("facilities:mine") in home
    response = client.get(reverse("facilities:mine"))
    assert response.status_code == 302 and response["Location"] == reverse("facilities:school", args=[school_a.pk])


def test_a_school_adds_its_main_site_and_saves_its_facilities_in_place(client, school_user, school_a):
    client.force_login(school_user)
    response = client.post(reverse("facilities:site_new", args=[school_a.pk]), {
        "code": "DT01", "name": "Điểm trường chính", "kind": "main", "commune": school_a.commune_id,
        "address": "Thôn 1", "latitude": "21.03", "longitude": "105.85"})
    assert response.status_code == 302
    site = Site.objects.get(school=school_a)
    page = client.get(reverse("facilities:school", args=[school_a.pk])).content.decode()
    assert 'data-testid="facilities-form"' in page and "Điểm trường chính" in page
    url = reverse("facilities:site_facilities", args=[site.pk])
    refused = client.post(url, _form(site, classrooms_in_use=99), HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps only successful answers: the errors are the content
    assert 'data-testid="error-classrooms_in_use"' in refused.content.decode()
    assert "lớn hơn tổng số phòng học" in refused.content.decode()
    assert not SiteFacilities.objects.exists()
    saved = client.post(url, _form(site), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and 'data-testid="saved"' in saved.content.decode()
    assert SiteFacilities.objects.get(site=site, school_year=YEAR).pupils == 300
    page = client.get(reverse("facilities:school", args=[school_a.pk])).content.decode()
    assert 'data-standing="level_1"' in page and 'data-code="multipurpose_hall"' in page


def test_without_htmx_a_save_returns_to_the_school_page(client, school_user, school_a):
    site = main_site(school_a)
    client.force_login(school_user)
    response = client.post(reverse("facilities:site_facilities", args=[site.pk]), _form(site))
    assert response.status_code == 302 and f"?year={YEAR}" in response["Location"]


def test_equipment_list_is_saved_or_refused_whole(client, school_user, school_a):
    client.force_login(school_user)
    url = reverse("facilities:equipment_save", args=[school_a.pk])
    client.post(url, {"school_year": YEAR, "quantity-TH-TIN-MAY-TINH": "20", "working-TH-TIN-MAY-TINH": "18",
                      "quantity-TH-AN-DAN-PHIM": "1", "working-TH-AN-DAN-PHIM": "3"})
    assert not EquipmentHolding.objects.exists()
    client.post(url, {"school_year": YEAR, "quantity-TH-TIN-MAY-TINH": "20", "working-TH-TIN-MAY-TINH": "18"})
    assert EquipmentHolding.objects.get().working == 18


def test_a_province_opens_its_schools_page_and_not_anothers(client, province_user, province_user_y, school_a):
    site = main_site(school_a)
    facilities(site, YEAR, **GOOD_PRIMARY)
    client.force_login(province_user)
    assert client.get(reverse("facilities:school", args=[school_a.pk])).status_code == 200
    assert client.get(reverse("schools:detail", args=[school_a.pk])).content.decode().count(
        reverse("facilities:school", args=[school_a.pk])) == 1
    client.force_login(province_user_y)
    assert client.get(reverse("facilities:school", args=[school_a.pk])).status_code == 404
    assert client.post(reverse("facilities:site_facilities", args=[site.pk]), _form(site)).status_code == 404


def test_the_page_speaks_english(client, school_user, school_a):
    site = main_site(school_a)
    facilities(site, YEAR, **GOOD_PRIMARY)
    client.force_login(school_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("facilities:school", args=[school_a.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Minimum teaching equipment" in page and "Multi-purpose hall" in page
    assert "Thiết bị dạy học tối thiểu" not in page


def test_the_main_site_is_listed_first_whatever_its_code(client, school_user, school_a):
    """A satellite coded before the main site still comes after it."""
    main_site(school_a, code="DT09", name="Điểm Trung Tâm")
    satellite(school_a, code="DT01", name="Điểm Bản Nà")
    client.force_login(school_user)
    page = client.get(reverse("facilities:school", args=[school_a.pk])).content.decode()
    assert page.index("Điểm Trung Tâm") < page.index("Điểm Bản Nà")
    assert [s.name for s in Site.objects.filter(school=school_a)] == ["Điểm Trung Tâm", "Điểm Bản Nà"]
