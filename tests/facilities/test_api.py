"""/api/v1/facilities/: reads within the token's scope, writes through the services (errors as {"error": ...}),
the change feed (updated_since), the catalogue and the standard."""
import pytest
from django.utils import timezone

from edu_portal.common.models import current_school_year
from facilities.models import EquipmentHolding, Site, SiteFacilities
from facilities.services import site_update
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site, satellite

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


@pytest.fixture
def sites(school_a, school_other_province):
    a_main = main_site(school_a)
    a_sat = satellite(school_a)
    other = main_site(school_other_province)
    facilities(a_main, YEAR, **GOOD_PRIMARY)
    facilities(other, YEAR, **GOOD_PRIMARY)
    return a_main, a_sat, other


def test_a_province_token_reads_its_province_only(api, province_user, sites, school_a):
    client = api(province_user, "province:01")
    status, body = client.get("/facilities/sites/")
    assert status == 200
    assert {r["id"] for r in body["results"]} == {sites[0].pk, sites[1].pk}
    assert body["results"][0]["school"] == school_a.pk and body["results"][0]["kind"] == "main"
    status, body = client.get("/facilities/site-facilities/", {"school_year": YEAR, "province": "01"})
    assert [r["site"] for r in body["results"]] == [sites[0].pk]
    assert body["results"][0]["pupils"] == 300 and body["results"][0]["internet"] == "fibre"
    assert client.get(f"/facilities/sites/{sites[2].pk}/")[0] == 404
    status, body = client.get("/facilities/site-facilities/", {"commune": school_a.commune_id})
    assert len(body["results"]) == 1
    # Another province's school: as if it did not exist.
    status, body = client.get("/facilities/standard/", {"school": sites[2].school_id})
    assert status == 404 and body["error"]["code"] == "not_found"


def test_the_standard_with_its_unmet_criteria(api, province_user, sites, school_a):
    status, body = api(province_user, "province:01").get("/facilities/standard/",
                                                         {"school": school_a.pk, "school_year": YEAR})
    assert status == 200
    # GOOD_PRIMARY meets level 1, not level 2 (no multi-purpose hall); the satellite has no row this year.
    assert body["standing"] in ("level_1", "none")
    assert body["unmet"] and all({"code", "label", "article", "standard_level", "message"} <= set(u)
                                 for u in body["unmet"])
    status, body = api(province_user, "province:01").get("/facilities/standard/", {"school": "x"})
    assert status == 400 and "school" in body["error"]["details"]


def test_a_school_token_cannot_write_another_schools_site(api, school_user, school_user_b, sites, school_a, school_b):
    main_site(school_b)
    writer = api(school_user, f"school:{school_a.code}", write=True)
    status, body = writer.post("/facilities/sites/", {"school": school_b.pk, "code": "DT07", "name": "Điểm lẻ",
                                                      "kind": "satellite", "commune": school_b.commune_id})
    assert status == 400 and "school" in body["error"]["details"]
    b_site = Site.objects.get(school=school_b)
    assert writer.patch(f"/facilities/sites/{b_site.pk}/", {"name": "Đổi"})[0] == 404
    assert writer.post("/facilities/site-facilities/", {"site": b_site.pk, "school_year": YEAR, "pupils": 1,
                                                        "classes": 1})[0] == 404
    assert Site.objects.get(pk=b_site.pk).name == "Điểm trường chính"
    # Its own school: written through the services, whose rules answer per field.
    status, body = writer.post("/facilities/sites/", {"school": school_a.pk, "code": "DT08", "name": "Điểm xa",
                                                      "kind": "satellite", "commune": school_a.commune_id,
                                                      "latitude": "105.8", "longitude": "21.0"})
    assert status == 400 and "nằm ngoài lãnh thổ Việt Nam" in body["error"]["details"]["latitude"][0]
    status, body = writer.post("/facilities/site-facilities/", {"site": sites[1].pk, "school_year": YEAR,
                                                                "pupils": 30, "classes": 2, "classrooms_solid": 1,
                                                                "classrooms_in_use": 3})
    assert status == 400 and "classrooms_in_use" in body["error"]["details"]
    status, body = writer.post("/facilities/site-facilities/", {"site": sites[1].pk, "school_year": YEAR,
                                                                "pupils": 30, "classes": 2, "classrooms_solid": 2,
                                                                "classrooms_in_use": 2})
    assert status == 201 and body["pupils"] == 30
    # A read-only token writes nothing.
    reader = api(school_user, f"school:{school_a.code}")
    assert reader.patch(f"/facilities/sites/{sites[1].pk}/", {"name": "Đổi"})[0] == 403


def test_equipment_written_all_or_nothing_and_the_catalogue(api, school_user, school_a):
    writer = api(school_user, f"school:{school_a.code}", write=True)
    status, body = writer.post("/facilities/equipment/", {"school": school_a.pk, "school_year": YEAR, "holdings": [
        {"item": "TH-TOAN-HINH-HOC", "quantity": 5, "working": 4}, {"item": "TH-AN-DAN-PHIM", "quantity": 1,
                                                                   "working": 2}]})
    assert status == 400 and body["error"]["details"]["TH-AN-DAN-PHIM"]["working"]
    assert not EquipmentHolding.objects.exists()
    status, body = writer.post("/facilities/equipment/", {"school": school_a.pk, "school_year": YEAR, "holdings": [
        {"item": "TH-TOAN-HINH-HOC", "quantity": 5, "working": 4}]})
    assert status == 201 and body == [{**body[0], "item": "TH-TOAN-HINH-HOC", "quantity": 5, "working": 4}]
    status, body = writer.get("/facilities/equipment/", {"school": school_a.pk})
    assert [r["item"] for r in body["results"]] == ["TH-TOAN-HINH-HOC"]
    status, body = writer.get("/facilities/equipment/catalogue/", {"level": "primary"})
    assert status == 200 and body["count"] == len(body["results"]) > 5
    assert {r["level"] for r in body["results"]} == {"primary"}


def test_the_change_feed_lists_what_changed_since(api, province_user, sites):
    client = api(province_user, "province:01")
    since = timezone.now()
    status, body = client.get("/facilities/sites/", {"updated_since": since.isoformat()})
    assert status == 200 and body["results"] == []
    site_update(scope=COUNTRY, site=sites[1], address="Thôn Mới")
    facilities(sites[0], YEAR, **{**GOOD_PRIMARY, "pupils": 310})
    status, body = client.get("/facilities/sites/", {"updated_since": since.isoformat()})
    assert [r["id"] for r in body["results"]] == [sites[1].pk]
    status, body = client.get("/facilities/site-facilities/", {"updated_since": since.isoformat()})
    assert [r["pupils"] for r in body["results"]] == [310]
    assert SiteFacilities.objects.count() == 2
