"""Issue 18's "Done when", walked through as new users would, on the demo data and the demo logins, against the
live server with a real Celery worker, in headless Chromium:

- `school` records its two sites, their rooms and equipment through the forms and through the templates (download,
  fill in, upload: preview with errors, fix, confirm, commit) for sites, facilities and equipment;
- `hanoi` sees which of its schools meet level 1 of Thông tư 13/2020 and what the others lack;
- `ministry` reads the national indicators over the seeded school years and exports them (CSV and Excel);
- an API client reads them with a token of Hà Nội, and nothing of another province.

One test, on one seed: the demo takes a minute to load, and each step builds on the one before (the school's
entries reach the province's page through the statistics refresh).
"""
from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from accounts.models import User
from edu_portal.celery import app as celery_app
from edu_portal.common.models import current_school_year, school_year_label
from facilities.importers import EQUIPMENT, FACILITIES, SITES
from facilities.models import EquipmentHolding, SchoolStanding, Site, SiteFacilities
from facilities.standard import CRITERIA, Standing
from schools.models import School
from tests.conftest import save_artifact
from tests.processes import thread_worker

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

YEAR = current_school_year()
SEEDED_YEARS = [YEAR - 2, YEAR - 1, YEAR]
WAIT = 60_000  # ms: an upload's validation or a statistics refresh by the worker


@pytest.fixture
def demo(settings, tmp_path):
    """The demo as `make setup` leaves it (80 schools, three school years, the statistics), its
    logins, and a worker consuming the test broker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.POPULATION_REGISTRY_POPULATION_FILE = tmp_path / "population.csv.gz"
    call_command("seed_demo", workers=1, seed=2026, verbosity=0)  # the demo's 80 schools
    call_command("create_demo_users", verbosity=0)
    celery_app.control.purge()  # the seed's registry fetch: no registry in this test
    with thread_worker():
        yield {u.username: u for u in User.objects.all()}


def _login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


# --- school: the forms -------------------------------------------------------------------------------------

def _level_1_values(level: str) -> tuple[dict, dict]:
    """What a clerk types for the main site and the satellite so that the school meets level 1 (not 2: no hall)
    whatever its level: 12 classes (16 in an upper secondary school, whose minimum is 15), a room each, the
    rooms the level asks for, enough standard toilets, water, power and internet."""
    classes = 14 if level == "upper_secondary" else 10
    main = dict(pupils=300, classes=classes, land_area_m2=4000, classrooms_solid=classes, classrooms_semi_solid=0,
                classrooms_temporary=0, classrooms_borrowed=0, classrooms_in_use=classes, classrooms_need_repair=0,
                classroom_floor_area_m2=classes * 50, subject_rooms=1, library_rooms=1,
                computer_rooms=1, laboratories=1, multipurpose_halls=0, medical_rooms=1, toilets_male=7,
                toilets_male_standard=7, toilets_female=9, toilets_female_standard=9, toilets_staff=2,
                water_source="piped", electricity="grid", internet="fibre", internet_mbps=100, computers_teaching=5,
                computers_pupils=25)
    satellite = dict(pupils=40, classes=2, land_area_m2=800, classrooms_solid=2, classrooms_semi_solid=0,
                     classrooms_temporary=0, classrooms_borrowed=0, classrooms_in_use=2, classrooms_need_repair=0,
                     classroom_floor_area_m2=100, subject_rooms=0, library_rooms=0,
                     computer_rooms=0, laboratories=0, multipurpose_halls=0, medical_rooms=0, toilets_male=1,
                     toilets_male_standard=1, toilets_female=1, toilets_female_standard=1, toilets_staff=1,
                     water_source="well",
                     electricity="grid", internet="none", internet_mbps="", computers_teaching=0, computers_pupils=0)
    return main, satellite


def _fill_site(page, site: Site, values: dict) -> None:
    prefix = f"#id_site{site.pk}-"
    for field, value in values.items():
        if field in ("water_source", "electricity", "internet"):
            page.select_option(prefix + field, value)
        else:
            page.fill(prefix + field, str(value))


def _save(card) -> None:
    """Save a site's form and wait for its answer in place: saved, or the errors next to the fields."""
    card.get_by_test_id("facilities-form").evaluate("form => { form.dataset.before = 'yes'; }")
    card.get_by_test_id("facilities-save").click()
    card.locator("[data-testid=facilities-form]:not([data-before])").wait_for()  # the answer swapped in
    errors = card.locator("[data-testid^=error-], [data-testid=form-error]").all_inner_texts()
    assert not errors, errors


def _school_uses_the_forms(page, live_server, school: School) -> tuple[Site, Site]:
    page.get_by_test_id("nav-group-records").click()  # the menu of the navigation bar holding it
    page.get_by_role("link", name="Cơ sở vật chất").first.click()
    page.wait_for_url(f"{live_server.url}/facilities/schools/{school.pk}/")
    cards = page.get_by_test_id("site")
    assert cards.count() == 2
    assert "Điểm trường chính" in cards.nth(0).inner_text()  # the main site first
    assert "Điểm trường lẻ số 1" in cards.nth(1).inner_text()
    main, satellite = Site.objects.get(school=school, kind="main"), Site.objects.get(school=school, kind="satellite")

    # The satellite's address, through its own form.
    cards.nth(1).get_by_role("link", name="Sửa").click()
    page.wait_for_url(f"**/facilities/sites/{satellite.pk}/edit/")
    page.fill("#id_address", "Thôn Đồng Bèn")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{live_server.url}/facilities/schools/{school.pk}/")
    assert "Thôn Đồng Bèn" in page.get_by_test_id("site").nth(1).inner_text()

    # Both sites' rooms this year: a contradiction is refused next to its field, in place; then saved, and the
    # standing at the top of the page follows what was entered.
    main_values, satellite_values = _level_1_values(school.level)
    _fill_site(page, main, {**main_values, "classrooms_in_use": main_values["classes"] + 5})
    with pytest.raises(AssertionError, match="lớn hơn tổng số phòng học"):
        _save(page.get_by_test_id("site").nth(0))
    assert page.url.endswith(f"/facilities/schools/{school.pk}/")  # answered in place
    _fill_site(page, main, main_values)
    _save(page.get_by_test_id("site").nth(0))
    _fill_site(page, satellite, satellite_values)
    _save(page.get_by_test_id("site").nth(1))
    page.wait_for_function("document.querySelector('[data-testid=standard]').dataset.standing === 'level_1'")
    assert page.get_by_test_id("standing").inner_text() == "Đạt mức độ 1"
    unmet = page.get_by_test_id("unmet").all_inner_texts()
    assert any("Nhà đa năng" in u for u in unmet)  # what level 2 still lacks
    save_artifact(page, "done_when_school_forms")
    row = SiteFacilities.objects.get(site=main, school_year=YEAR)
    assert (row.pupils, row.classrooms_in_use, row.water_source) == (300, main_values["classes"], "piped")

    # Equipment: the first line of the minimum list, as many as the minimum, one of them broken.
    line = page.get_by_test_id("equipment-line").first
    code = line.get_attribute("data-code")
    line.locator(f"input[name='quantity-{code}']").fill("7")
    line.locator(f"input[name='working-{code}']").fill("6")
    page.get_by_test_id("equipment-save").click()
    page.wait_for_url(f"**/facilities/schools/{school.pk}/?year={YEAR}#equipment")
    assert "Đã lưu" in page.locator(".alert-success").first.inner_text()
    holding = EquipmentHolding.objects.get(school=school, school_year=YEAR, item__code=code)
    assert (holding.quantity, holding.working) == (7, 6)

    # On a phone the page stays within the screen: the standing's and the equipment's tables scroll inside.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_artifact(page, "done_when_school_390px")
    page.set_viewport_size({"width": 1280, "height": 900})
    return main, satellite


# --- school: the templates ---------------------------------------------------------------------------------

def _workbook(download):
    with open(download.path(), "rb") as fh:  # a download's path has no .xlsx suffix, which openpyxl wants
        return load_workbook(io.BytesIO(fh.read()))


def _template_header(page, kind: str) -> list[str]:
    with page.expect_download() as download:
        page.get_by_test_id(f"template-{kind}-xlsx").click()
    book = _workbook(download.value)
    return [c.value for c in book["Dữ liệu"][1] if c.value]


def _xlsx(header: list[str], rows: list[dict], importer) -> bytes:
    """The template filled in: values by column key, written under the template's own headers."""
    by_header = {c.header: c.key for c in importer.columns}
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(by_header[h], "") for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page, live_server, kind: str, name: str, content: bytes) -> None:
    page.goto(f"{live_server.url}/uploads/new/")
    page.select_option("#id_kind", kind)
    page.set_input_files("input[type=file]", files=[{
        "name": name, "buffer": content,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm], [data-testid=error-table]", timeout=WAIT)


def _commit(page) -> None:
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=upload-status][data-status=committed]", timeout=WAIT)


def _school_uses_the_templates(page, live_server, school: School, main: Site, satellite: Site) -> None:
    page.goto(f"{live_server.url}/uploads/new/")
    headers = {kind: _template_header(page, kind) for kind in ("sites", "facilities", "equipment")}
    assert headers["sites"][:4] == ["Mã trường", "Mã điểm trường", "Tên điểm trường", "Loại điểm trường"]
    assert "Mã điểm trường" in headers["facilities"] and "Năm học" in headers["facilities"]
    assert "Mã thiết bị" in headers["equipment"]

    # Sites: the satellite renamed (the main site as it is): one changed, one unchanged.
    sites = [{"code": s.code, "name": name, "kind": s.kind, "commune": s.commune_id, "address": s.address}
             for s, name in ((main, main.name), (satellite, "Điểm trường Đồng Bèn"))]
    _upload(page, live_server, "sites", "diem_truong.xlsx", _xlsx(headers["sites"], sites, SITES))
    assert page.inner_text("[data-testid=count-changed]") == "1"
    assert page.inner_text("[data-testid=count-unchanged]") == "1"
    _commit(page)
    assert Site.objects.get(pk=satellite.pk).name == "Điểm trường Đồng Bèn"

    # Last year's facilities of both sites: a site code that does not exist and a room count that contradicts
    # itself are named by row and column, nothing is written; fixed, they are committed.
    last_year = school_year_label(YEAR - 1)
    main_values, satellite_values = _level_1_values(school.level)
    rows = [{"site_code": main.code, "school_year": last_year, **main_values, "classrooms_in_use": 99},
            {"site_code": "DT99", "school_year": last_year, **satellite_values}]
    _upload(page, live_server, "facilities", "csvc.xlsx", _xlsx(headers["facilities"], rows, FACILITIES))
    errors = page.inner_text("[data-testid=error-table]")
    lines = errors.splitlines()[1:]
    assert [line.split("\t")[0] for line in lines] == ["2", "3"], errors  # one error on each row
    assert "lớn hơn tổng số phòng học" in lines[0] and "DT99" in lines[1], errors
    assert page.locator("[data-testid=confirm]").count() == 0
    save_artifact(page, "done_when_upload_errors")
    rows[0]["classrooms_in_use"] = main_values["classes"]
    rows[1]["site_code"] = satellite.code
    _upload(page, live_server, "facilities", "csvc_da_sua.xlsx", _xlsx(headers["facilities"], rows, FACILITIES))
    assert page.inner_text("[data-testid=count-changed]") == "2"  # the seed had last year's rows
    _commit(page)
    assert SiteFacilities.objects.get(site=main, school_year=YEAR - 1).classrooms_in_use == main_values["classes"]

    # Equipment of this year: working more than held is refused, then fixed.
    item = EquipmentHolding.objects.filter(school=school, school_year=YEAR).order_by("item__code").last().item
    equipment = [{"item": item.code, "quantity": 3, "working": 4}]
    _upload(page, live_server, "equipment", "thiet_bi.xlsx", _xlsx(headers["equipment"], equipment, EQUIPMENT))
    assert page.inner_text("[data-testid=count-errors]") == "1"
    equipment[0]["working"] = 2
    _upload(page, live_server, "equipment", "thiet_bi.xlsx", _xlsx(headers["equipment"], equipment, EQUIPMENT))
    _commit(page)
    holding = EquipmentHolding.objects.get(school=school, school_year=YEAR, item=item)
    assert (holding.quantity, holding.working) == (3, 2)

    # What the files wrote is on the school's page of last year.
    page.goto(f"{live_server.url}/facilities/schools/{school.pk}/?year={YEAR - 1}")
    assert page.input_value(f"#id_site{main.pk}-classrooms_in_use") == str(main_values["classes"])
    assert "Điểm trường Đồng Bèn" in page.get_by_test_id("site").nth(1).inner_text()


# --- hanoi: the schools meeting level 1 and what the others lack -------------------------------------------

CRITERION_LABELS = [str(c.label) for c in CRITERIA]


def _hanoi_reads_the_standings(page, live_server) -> None:
    page.goto(f"{live_server.url}/dashboards/facilities/")
    page.wait_for_url("**/dashboards/facilities/provinces/01/**")
    stored = SchoolStanding.objects.filter(school__province_id="01", school_year=YEAR)
    met_rows = page.get_by_test_id("table-fac_standard_met").locator("tbody tr[data-key]")
    assert met_rows.count() == stored.filter(standing__in=(Standing.LEVEL_1, Standing.LEVEL_2)).count() >= 1
    assert "Đạt mức độ" in met_rows.nth(0).inner_text()
    unmet_rows = page.get_by_test_id("table-fac_standard_unmet").locator("tbody tr[data-key]")
    assert unmet_rows.count() == stored.filter(standing=Standing.NONE).count() >= 1
    for i in range(unmet_rows.count()):
        lacks = unmet_rows.nth(i).locator("td[data-col=lacks_1]").inner_text()
        # Each names the criteria it misses and how much: "Phòng học trên số lớp (1); Thư viện (1)".
        assert any(label in lacks for label in CRITERION_LABELS), lacks
        assert re.search(r"\(\d+(\.\d+)?\)", lacks), lacks
    save_artifact(page, "done_when_hanoi_standings")

    # One of them, opened: its unmet criteria with the amounts.
    first = unmet_rows.nth(0)
    name = first.locator("td[data-col=name]").inner_text()
    first.locator("a").click()
    page.wait_for_url("**/dashboards/facilities/schools/**")
    assert name in page.get_by_test_id("dashboard-title").inner_text()
    table = page.get_by_test_id("table-fac_school_standard")
    assert "Chưa đạt mức độ 1" in table.inner_text()
    assert any(label in table.inner_text() for label in CRITERION_LABELS)

    # Another province's page does not exist for Hà Nội.
    response = page.goto(f"{live_server.url}/dashboards/facilities/provinces/79/")
    assert response.status == 404

    # On a phone, in English: the page does not scroll sideways (tables scroll inside their card), and the
    # standings and criteria speak English.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dashboards/facilities/provinces/01/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_test_id("table-fac_standard_unmet").bounding_box()["width"] <= 390
    save_artifact(page, "done_when_hanoi_390px_en")
    met, unmet = (page.get_by_test_id(f"table-fac_standard_{t}").inner_text() for t in ("met", "unmet"))
    assert "Meets level 1" in met and "Below level 1" in unmet
    with translation.override("en"):
        english = [str(c.label) for c in CRITERIA]
    assert any(label in unmet for label in english)
    assert not any(label in unmet for label in CRITERION_LABELS if label not in english)
    # Back to Vietnamese: the choice is remembered on the account (accounts.User.language), not only this session.
    with page.expect_navigation():
        page.select_option("select[name=language]", "vi")
    page.set_viewport_size({"width": 1280, "height": 900})


def _hanoi_sees_the_school_meet_level_1(page, live_server, school: School) -> None:
    """The school's entries reach the province's page once the worker has refreshed its statistics."""
    page.goto(f"{live_server.url}/dashboards/facilities/provinces/01/")
    met = page.get_by_test_id("table-fac_standard_met")
    for _ in range(30):
        if school.name in met.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    row = met.locator(f"tbody tr[data-key='{school.pk}']")
    assert "Đạt mức độ 1" in row.inner_text() and "Nhà đa năng (1)" in row.inner_text()  # what level 2 lacks
    assert school.name not in page.get_by_test_id("table-fac_standard_unmet").inner_text()


# --- ministry: the national indicators over the years, exported ----------------------------------------------

def _ministry_reads_and_exports(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/dashboards/facilities/")
    assert "Toàn quốc" in page.get_by_test_id("dashboard-title").inner_text()
    trend = page.get_by_test_id("table-fac_trend")
    rows = trend.locator("tbody tr")
    assert [rows.nth(i).locator("td[data-col=year]").inner_text() for i in range(rows.count())] == [
        school_year_label(y) for y in SEEDED_YEARS]
    for i in range(rows.count()):
        for column in ("solid_pct", "internet_pct", "equipment_pct", "standard_1_pct"):
            assert rows.nth(i).locator(f"td[data-col={column}]").inner_text() != "—"
    page.wait_for_function("Chart.getChart(document.querySelector(\"canvas[data-chart='chart-fac_trend']\"))"
                           " !== undefined")
    save_artifact(page, "done_when_ministry_trend")

    with page.expect_download() as download:
        page.get_by_test_id("export-csv-fac_trend").click()
    with open(download.value.path(), "rb") as fh:
        raw = fh.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Vietnamese right
    as_of, *table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=_delimiter(raw)))
    assert "số liệu lúc" in as_of[0]  # the "as of" line first (edu_portal.common.exports)
    assert table[0][0] == "Năm học" and "Đạt chuẩn mức 1 (%)" in table[0]
    assert [r[0] for r in table[1:]] == [school_year_label(y) for y in SEEDED_YEARS]
    share = table[0].index("Đạt chuẩn mức 1 (%)")
    assert all(r[share] for r in table[1:])

    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx-fac_units").click()
    sheet = _workbook(download.value).active
    assert "số liệu lúc" in sheet["A1"].value  # the "as of" line, then the header
    header = [c.value for c in sheet[2]]
    assert header[0] == "Tỉnh/thành phố" and "Phòng kiên cố (%)" in header
    body = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(body) == 35  # 34 provinces and the total
    assert isinstance(body[-1][header.index("Trường có số liệu")], int)  # real numbers, not text
    assert body[-1][header.index("Trường có số liệu")] == School.objects.count()


def _delimiter(raw: bytes) -> str:
    header = raw.decode("utf-8-sig").splitlines()[1]  # the header (the "as of" line is one cell)
    return ";" if header.count(";") > header.count(",") else ","


# --- an API client with Hà Nội's token -----------------------------------------------------------------------

def _ministry_issues_a_token_for_hanoi(page, live_server, hanoi: User) -> str:
    page.goto(f"{live_server.url}/api/v1/tokens/")
    form = page.get_by_test_id("token-form")
    form.locator("#id_user").select_option(str(hanoi.pk))
    form.locator("#id_name").fill("Hệ thống của Sở GD&ĐT Hà Nội")
    form.locator("#id_scope_kind").select_option("province")
    form.locator("#id_province").select_option("01")
    form.get_by_role("button", name="Cấp mã mới").click()
    return page.get_by_test_id("new-token-secret").inner_text().strip()


def _api_client_reads_hanoi_only(live_server, token: str) -> None:
    hanoi_schools = set(School.objects.filter(province_id="01").values_list("pk", flat=True))
    other = School.objects.filter(province_id="79").first()
    with httpx.Client(base_url=f"{live_server.url}/api/v1", headers={"Authorization": f"Token {token}"},
                      timeout=30) as client:
        stats = client.get("/stats/facilities/")
        assert stats.status_code == 200
        assert stats.json()["fac_schools"] == len(hanoi_schools)  # Hà Nội's, not the country's
        trends = client.get("/stats/facilities/trends/", params={"province": "01"})
        assert [r["school_year"] for r in trends.json()["results"]] == SEEDED_YEARS
        assert all(r["standard_1_pct"] is not None for r in trends.json()["results"])
        assert client.get("/stats/facilities/trends/", params={"province": "79"}).status_code == 404

        sites = client.get("/facilities/sites/", params={"page_size": 1000}).json()
        assert sites["next"] is None
        assert len(sites["results"]) == Site.objects.filter(school__province_id="01").count()
        assert {s["school"] for s in sites["results"]} == hanoi_schools
        rows = client.get("/facilities/site-facilities/", params={"school_year": YEAR, "page_size": 1000}).json()
        assert len(rows["results"]) == SiteFacilities.objects.filter(school__province_id="01",
                                                                     school_year=YEAR).count()
        standard = client.get("/facilities/standard/", params={"school": min(hanoi_schools)})
        assert standard.status_code == 200 and standard.json()["standing"] in Standing.LABELS
        # Another province's school: refused, and absent from the lists.
        refused = client.get("/facilities/standard/", params={"school": other.pk})
        assert refused.status_code == 404 and "error" in refused.json()
        other_site = Site.objects.filter(school=other).first()
        assert client.get(f"/facilities/sites/{other_site.pk}/").status_code == 404
        assert client.get("/facilities/sites/", params={"school": other.pk}).json()["results"] == []


def test_issue_18_done_when(demo, page, live_server):
    school = demo["school"].school
    assert Site.objects.filter(school=school).count() == 2  # the demo's school of the `school` login

    # Hà Nội, as the demo has it: some schools at level 1, the others below it and what they lack.
    _login(page, live_server, "hanoi")
    _hanoi_reads_the_standings(page, live_server)

    _login(page, live_server, "school")
    main, satellite = _school_uses_the_forms(page, live_server, school)
    _school_uses_the_templates(page, live_server, school, main, satellite)

    _login(page, live_server, "hanoi")
    _hanoi_sees_the_school_meet_level_1(page, live_server, school)

    _login(page, live_server, "ministry")
    _ministry_reads_and_exports(page, live_server)
    token = _ministry_issues_a_token_for_hanoi(page, live_server, demo["hanoi"])
    _api_client_reads_hanoi_only(live_server, token)
