"""The facilities indicators (issue 18): the refresh's sums and the stored standings against an independent
computation over the raw facilities rows, on random data; the ratios from either source; scope."""
from __future__ import annotations

import importlib
import math
import re
from collections import Counter, defaultdict

import pytest
from django.db import connection, migrations
from django.urls import reverse
from django.utils import translation

from accounts.scope import PROVINCE, Scope
from dashboards.indicators_facilities import FACILITY_METRICS, derive_facilities
from dashboards.models import SchoolStats
from dashboards.presentation_facilities import definitions_table, standard_tables
from dashboards.selectors import ROLLUP_BY_PROVINCE, SCHOOL_ROWS, stats_summary_from
from dashboards.selectors_facilities import facilities_by_year, facilities_standard_list, facilities_summary
from dashboards.services import stats_refresh_all, stats_refresh_schools
from facilities.models import EquipmentHolding, EquipmentItem, SchoolStanding, SiteFacilities
from facilities.selectors import facilities_standard
from schools.models import School
from tests import queued
from tests.dashboards.facilities_data import GOOD_NAME, GRADES, YEAR, YEARS
from tests.exports import export_rows
from tests.facilities.helpers import COUNTRY, GOOD_PRIMARY, facilities, main_site
from tests.factories import SchoolFactory, commune_of

PROVINCE_01 = Scope(PROVINCE, province_code="01")


def required(item: EquipmentItem, grades: list[int], classes: int) -> int:
    covered = [g for g in grades if item.grade_from <= g <= item.grade_to]
    if not covered:
        return 0
    if item.per == "school":
        return item.min_quantity
    if item.per == "grade":
        return item.min_quantity * len(covered)
    return item.min_quantity * math.ceil(max(classes, len(grades)) * len(covered) / len(grades))


def oracle(year: int) -> dict[int, Counter]:
    """Per school: every facilities metric of the year, walked from the raw rows."""
    out: dict[int, Counter] = defaultdict(Counter)
    for r in SiteFacilities.objects.filter(school_year=year).select_related("site"):
        if not r.site.active:
            continue
        row = out[r.school_id]
        row["fac_schools"] = 1
        row["fac_sites"] += 1
        row["fac_sites_water"] += r.water_source != "none"
        row["fac_sites_power"] += r.electricity != "none"
        row["fac_sites_internet"] += r.internet != "none"
        row["fac_pupils"] += r.pupils
        row["fac_classes"] += r.classes
        row["fac_classrooms_solid"] += r.classrooms_solid
        row["fac_classrooms_semi_solid"] += r.classrooms_semi_solid
        row["fac_classrooms_temporary"] += r.classrooms_temporary
        row["fac_classrooms_borrowed"] += r.classrooms_borrowed
        row["fac_classrooms"] += (r.classrooms_solid + r.classrooms_semi_solid + r.classrooms_temporary
                                  + r.classrooms_borrowed)
        row["fac_toilets"] += r.toilets_male + r.toilets_female
        row["fac_toilets_standard"] += r.toilets_male_standard + r.toilets_female_standard
        row["fac_computers_pupils"] += r.computers_pupils
        row["fac_computers_teaching"] += r.computers_teaching
    holders = set(EquipmentHolding.objects.filter(school_year=year).values_list("school_id", flat=True))
    held = {(h.school_id, h.item_id): h.working for h in EquipmentHolding.objects.filter(school_year=year)}
    items = list(EquipmentItem.objects.all())
    for school in School.objects.filter(pk__in=set(out) | holders):
        row = out[school.pk]
        grades = GRADES[school.level]
        for item in items:
            need = required(item, grades, row["fac_classes"])
            row["fac_equipment_required"] += need
            row["fac_equipment_present"] += min(held.get((school.pk, item.pk), 0), need)
        standing = facilities_standard(scope=COUNTRY, school=school, school_year=year).standing
        row["fac_std_assessed"] += standing in ("none", "level_1", "level_2")
        row["fac_std_level_1"] += standing in ("level_1", "level_2")
        row["fac_std_level_2"] += standing == "level_2"
    return out


def ratios(sums: Counter) -> dict:
    def r(a, b, scale=1):
        return round(sums[a] * scale / sums[b], 2) if sums[b] else None

    return {"classrooms_per_class": r("fac_classrooms", "fac_classes"),
            "solid_pct": r("fac_classrooms_solid", "fac_classrooms", 100),
            "pupils_per_toilet": r("fac_pupils", "fac_toilets"),
            "water_pct": r("fac_sites_water", "fac_sites", 100),
            "power_pct": r("fac_sites_power", "fac_sites", 100),
            "internet_pct": r("fac_sites_internet", "fac_sites", 100),
            "pupils_per_computer": r("fac_pupils", "fac_computers_pupils"),
            "equipment_pct": r("fac_equipment_present", "fac_equipment_required", 100),
            "standard_1_pct": r("fac_std_level_1", "fac_std_assessed", 100),
            "standard_2_pct": r("fac_std_level_2", "fac_std_assessed", 100)}


def test_school_rows_match_the_raw_rows(facilities_world):
    for year in YEARS:
        expected = oracle(year)
        assert expected, "the random world has facilities"
        got = {s.school_id: s for s in SchoolStats.objects.filter(school_year=year)}
        for school in School.objects.all():
            for metric in FACILITY_METRICS:
                assert getattr(got[school.pk], metric) == expected[school.pk][metric], (school.level, year, metric)


def test_the_stored_standings_are_the_selectors(facilities_world):
    stored = {(s.school_id, s.school_year): s for s in SchoolStanding.objects.all()}
    for school in facilities_world:
        for year in YEARS:
            result = facilities_standard(scope=COUNTRY, school=school, school_year=year)
            row = stored.get((school.pk, year))
            # A standing is stored for every school and year with an active site's row, and only then.
            assert (row is not None) == SiteFacilities.objects.filter(school=school, school_year=year,
                                                                      site__active=True).exists()
            if row is None:
                continue
            assert row.standing == result.standing
            assert [(code, level) for code, level, _missing in row.unmet] == [
                (u.criterion.code, u.standard_level) for u in result.unmet]
    assert any(s.standing == "level_1" for s in stored.values())


@pytest.mark.parametrize("source", [ROLLUP_BY_PROVINCE, SCHOOL_ROWS])
def test_indicators_by_province_from_either_source(facilities_world, source):
    expected = oracle(YEAR)
    by_province: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for school in School.objects.all():
        by_province[school.province_id].update(expected[school.pk])
        total.update(expected[school.pk])
    summary = stats_summary_from(source=source, scope=COUNTRY, filters={}, groups=("province",),
                                 metrics=FACILITY_METRICS)
    assert {m: summary.total[m] for m in FACILITY_METRICS} == {m: total[m] for m in FACILITY_METRICS}
    for key, value in ratios(total).items():
        assert derive_facilities(summary.total)[key] == value, key
    assert {r["key"] for r in summary.groups["province"]} == {"01", "48", "79"}
    for row in summary.groups["province"]:
        for key, value in ratios(by_province[row["key"]]).items():
            assert derive_facilities(row)[key] == value, (row["key"], key)
    # The pages' selector: the same figures.
    assert facilities_summary(scope=COUNTRY, filters={}, unit="province").total["standard_1_pct"] == ratios(
        total)["standard_1_pct"]


def test_a_province_sees_its_own_schools_only(facilities_world):
    expected = oracle(YEAR)
    mine: Counter = Counter()
    for school in School.objects.filter(province_id="01"):
        mine.update(expected[school.pk])
    summary = facilities_summary(scope=PROVINCE_01, filters={}, unit="commune")
    assert {m: summary.total[m] for m in FACILITY_METRICS} == {m: mine[m] for m in FACILITY_METRICS}
    # Asking for another province gives nothing of it.
    other = facilities_summary(scope=PROVINCE_01, filters={"province": "79"})
    assert other.total["fac_sites"] == 0


def test_trends_cover_both_years(facilities_world):
    rows = facilities_by_year(scope=COUNTRY, filters={})
    assert [r["school_year"] for r in rows] == list(YEARS)
    for row in rows:
        sums: Counter = Counter()
        for counts in oracle(row["school_year"]).values():
            sums.update(counts)
        assert {k: row[k] for k in ratios(sums)} == ratios(sums)


def test_province_standard_list(facilities_world):
    standards = facilities_standard_list(scope=PROVINCE_01, filters={"province": "01"})
    met = {r["name"] for r in standards.met}
    assert GOOD_NAME in met
    expected_unmet = SchoolStanding.objects.filter(school__province_id="01", school_year=YEAR, standing="none")
    assert standards.unmet_count == expected_unmet.count() == len(standards.unmet)
    assert all(r["unmet"] and r["standing"] == "none" for r in standards.unmet)  # each lacks something
    assert all(r["commune"] for r in standards.unmet)
    assert not {r["key"] for r in standards.met + standards.unmet} & set(
        School.objects.exclude(province_id="01").values_list("pk", flat=True))


@pytest.mark.parametrize(("filters", "unit"), [({"province": "01"}, "commune"), ({"province": "01", "level": "primary"},
                                                                                  "commune")])
def test_an_area_pages_selections_read_as_one_are_each_selectors(facilities_world, filters, unit):
    from dashboards.selectors_facilities import facilities_area_page

    page = facilities_area_page(scope=PROVINCE_01, filters=filters, unit=unit, limit=2, met_page=1, unmet_page=2)
    assert page.summary == facilities_summary.uncached(scope=PROVINCE_01, filters=filters, unit=unit)
    assert page.trend == facilities_by_year(scope=PROVINCE_01, filters=filters)
    assert page.standards == facilities_standard_list(scope=PROVINCE_01, filters=filters, limit=2, met_page=1,
                                                      unmet_page=2)
    assert page.summary.groups[unit] and page.trend and page.standards.met_count + page.standards.unmet_count


def test_standing_follows_a_facilities_write(db, school_a, django_capture_on_commit_callbacks):
    site = main_site(school_a)
    facilities(site, YEAR, **(GOOD_PRIMARY | {"medical_rooms": 0}))
    stats_refresh_all()
    assert SchoolStanding.objects.get(school=school_a, school_year=YEAR).standing == "none"
    assert SchoolStats.objects.get(school=school_a, school_year=YEAR).fac_std_level_1 == 0

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        facilities(site, YEAR, medical_rooms=1)
    # The write asked for the school's refresh once committed; the worker's task runs this service.
    assert queued.queued_tasks() == [("dashboards.refresh_schools", [[school_a.pk]], {})]
    queued.clear()
    stats_refresh_schools(school_ids=[school_a.pk])
    assert SchoolStanding.objects.get(school=school_a, school_year=YEAR).standing == "level_1"
    stats = SchoolStats.objects.get(school=school_a, school_year=YEAR)
    assert (stats.fac_std_assessed, stats.fac_std_level_1, stats.fac_std_level_2) == (1, 1, 0)


@pytest.fixture
def standings_79(db):
    """Seven primary schools of province 79, three meeting level 1 and four lacking medical rooms; two of the
    names shared (the list breaks ties by the school's id), created out of their names' order."""
    met = [("Trường C", True), ("Trường A", True), ("Trường B", False), ("Trường A", False),
           ("Trường E", True), ("Trường D", False), ("Trường B", False)]
    for name, good in met:
        school = SchoolFactory(province_id="79", level="primary", name=name)
        facilities(main_site(school), YEAR, **(GOOD_PRIMARY | ({} if good else {"medical_rooms": 0})))
    stats_refresh_all()


def test_standard_list_keeps_the_first_of_each_kind_and_counts_all(standings_79):
    rows = (SchoolStanding.objects.filter(school__province_id="79", school_year=YEAR)
            .order_by("school__name", "school_id"))
    oracle = {kind: [{"key": r.school_id, "code": r.school.code, "name": r.school.name,
                      "commune": r.school.commune.name, "standing": r.standing, "unmet": r.unmet}
                     for r in rows if (r.standing in ("level_1", "level_2")) == (kind == "met")]
              for kind in ("met", "unmet")}
    assert [len(oracle["met"]), len(oracle["unmet"])] == [3, 4]
    assert all(r["unmet"] for r in oracle["unmet"])  # the criteria as stored: lists, not their JSON text
    full = facilities_standard_list(scope=COUNTRY, filters={"province": "79"})
    assert (full.met, full.unmet, full.met_count, full.unmet_count) == (oracle["met"], oracle["unmet"], 3, 4)
    for limit in (1, 2, 3):
        shown = facilities_standard_list(scope=COUNTRY, filters={"province": "79"}, limit=limit)
        assert shown.met == oracle["met"][:limit] and shown.unmet == oracle["unmet"][:limit]
        assert (shown.met_count, shown.unmet_count) == (3, 4)  # how many there are, not how many are shown
    other_level = facilities_standard_list(scope=COUNTRY, filters={"province": "79", "level": "preschool"}, limit=2)
    assert (other_level.met, other_level.unmet, other_level.met_count, other_level.unmet_count) == ([], [], 0, 0)
    scoped = facilities_standard_list(scope=Scope(PROVINCE, province_code="01"), filters={}, limit=2)
    assert not {r["key"] for r in scoped.met + scoped.unmet} & {r["key"] for r in oracle["met"] + oracle["unmet"]}
    # The pages of each kind, chosen apart; a page past the end lists none and still counts them all.
    for met_page, unmet_page in ((2, 1), (1, 2), (2, 3), (9, 9)):
        page = facilities_standard_list(scope=COUNTRY, filters={"province": "79"}, limit=2, met_page=met_page,
                                        unmet_page=unmet_page)
        assert page.met == oracle["met"][2 * met_page - 2:2 * met_page], met_page
        assert page.unmet == oracle["unmet"][2 * unmet_page - 2:2 * unmet_page], unmet_page
        assert (page.met_count, page.unmet_count) == (3, 4)


def test_a_province_page_pages_its_standing_lists(client, ministry_user, standings_79, monkeypatch):
    from dashboards import views_facilities

    monkeypatch.setattr(views_facilities, "SHOWN", 2)
    client.force_login(ministry_user)
    url = reverse("dashboards:facilities_province", args=["79"])
    standings = SchoolStanding.objects.filter(school__province_id="79", school_year=YEAR).order_by("school__name",
                                                                                                  "school_id")
    names = {kind: list(standings.filter(standing__in=standing).values_list("school__name", flat=True))
             for kind, standing in (("met", ("level_1", "level_2")), ("unmet", ("none",)))}

    def listed(html: str, kind: str) -> list[str]:
        table = html.split(f'data-testid="table-fac_standard_{kind}"')[1].split("</table>")[0]
        return re.findall(r'<td data-col="name"><a href="[^"]+">([^<]+)</a>', table)

    html = client.get(url).content.decode()
    assert listed(html, "met") == names["met"][:2] and listed(html, "unmet") == names["unmet"][:2]
    pager = html.split('data-testid="pager-fac_standard_unmet"')[1].split("</nav>")[0]
    assert 'href="?unmet_page=2#fac_standard_unmet"' in pager and 'aria-current="page">1<' in pager
    # The second page of one list keeps the other's page; a page past the end shows the last.
    html = client.get(url, {"unmet_page": "2", "met_page": "2"}).content.decode()
    assert listed(html, "met") == names["met"][2:] and listed(html, "unmet") == names["unmet"][2:]
    assert listed(client.get(url, {"unmet_page": "7"}).content.decode(), "unmet") == names["unmet"][2:]
    assert listed(client.get(url, {"unmet_page": "x"}).content.decode(), "unmet") == names["unmet"][:2]
    # The export has every school, whatever page is shown.
    export = client.get(url, {"unmet_page": "2", "export": "csv", "table": "fac_standard_unmet"})
    assert [r[0] for r in export_rows(export)][1:] == names["unmet"]


@pytest.mark.parametrize(("language", "standing", "criterion"), [("vi", "Chưa đạt mức độ 1", "Phòng y tế trường học"),
                                                                  ("en", "Below level 1", "School medical room")])
def test_standard_tables_speak_the_readers_language(standings_79, language, standing, criterion):
    standards = facilities_standard_list(scope=COUNTRY, filters={"province": "79"}, limit=2)
    with translation.override(language):
        _met, unmet = standard_tables(standards)
    assert [r["standing"] for r in unmet.rows] == [standing, standing]
    assert all(r["lacks_1"].startswith(f"{criterion} (") for r in unmet.rows)


def test_definitions_follow_the_readers_language():
    with translation.override("vi"):
        vi = definitions_table().rows
    with translation.override("en"):
        en = definitions_table().rows
        en[0]["label"] = "changed by a caller"  # each table has its own rows: the next reader's are intact
        assert definitions_table().rows[0]["label"] == "Classrooms per class"
    with translation.override("vi"):
        assert definitions_table().rows == vi
    assert (vi[0]["key"], vi[0]["label"]) == ("classrooms_per_class", "Phòng học trên lớp")
    assert [r["key"] for r in en] == [r["key"] for r in vi]


def _listed(standards) -> dict[str, list[int]]:
    return {"met": [r["key"] for r in standards.met], "unmet": [r["key"] for r in standards.unmet]}


def test_the_standings_carry_their_schools_copies_and_the_list_reads_by_them(standings_79):
    """The refresh copies each school's province, commune, name, code, level and ownership into its standing (the
    province's list reads its rows in order by them); the data migrations fill the rows written before; a trigger
    keeps the copies the school's own."""
    copied = {"province_id": "province_id", "commune_id": "commune_id", "school_name": "name", "school_code": "code",
              "level": "level", "ownership": "ownership"}

    def copies_hold() -> bool:
        return all(getattr(s, k) == getattr(s.school, v) for s in SchoolStanding.objects.select_related("school")
                   for k, v in copied.items())

    stored = SchoolStanding.objects.select_related("school")
    assert stored.count() >= 7 and copies_hold()
    assert all(s.meets_level_1 == {"level_1": True, "level_2": True, "none": False}.get(s.standing) for s in stored)
    before = facilities_standard_list.uncached(scope=COUNTRY, filters={"province": "79"})
    assert [len(before.met), len(before.unmet)] == [3, 4]

    # Rows as they were before the columns: the migrations' UPDATEs give them their school's.
    for name in ("0005_standing_province", "0006_standing_list_order"):
        migration = importlib.import_module(f"facilities.migrations.{name}").Migration
        fill = next(op.sql for op in migration.operations if isinstance(op, migrations.RunSQL) and "UPDATE" in op.sql
                    and "TRIGGER" not in op.sql)
        SchoolStanding.objects.update(province=None, commune=None, school_name="", school_code="", level="",
                                      ownership="", meets_level_1=None)
        with connection.cursor() as cursor:
            cursor.execute(fill)
            if name.startswith("0005"):  # the next migration's columns are not that one's
                assert all(s.province_id == s.school.province_id for s in stored.all())
    assert copies_hold()
    after = facilities_standard_list.uncached(scope=COUNTRY, filters={"province": "79"})
    assert (after.met, after.unmet, after.met_count, after.unmet_count) == (
        before.met, before.unmet, before.met_count, before.unmet_count)

    # A school moved to another province and renamed: listed there under its new name at once, and no longer in
    # its old province's list or count; its standing is recomputed by the refresh the move enqueues.
    moved = School.objects.get(pk=before.unmet[0]["key"])
    School.objects.filter(pk=moved.pk).update(province_id="01", commune_id=commune_of("01"), name="Trường Mới")
    assert copies_hold()
    old_province = facilities_standard_list.uncached(scope=COUNTRY, filters={"province": "79"})
    assert _listed(old_province)["unmet"] == [k for k in _listed(before)["unmet"] if k != moved.pk]
    assert old_province.unmet_count == before.unmet_count - 1
    new_province = facilities_standard_list.uncached(scope=PROVINCE_01, filters={})
    assert [r["name"] for r in new_province.unmet if r["key"] == moved.pk] == ["Trường Mới"]
    # An update that changes none of the copied columns leaves the standings as they are.
    def versions() -> list:  # where the rows' versions are (ctid): an UPDATE writes a new version elsewhere
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM facilities_schoolstanding WHERE school_id = %s ORDER BY id", [moved.pk])
            return cursor.fetchall()

    kept = versions()
    School.objects.filter(pk=moved.pk).update(address="Số 1, đường Mới")
    assert versions() == kept
    School.objects.filter(pk=moved.pk).update(code=moved.code + "X")
    assert versions() != kept
    stats_refresh_schools(school_ids=[moved.pk])
    assert SchoolStanding.objects.get(school=moved, school_year=YEAR).province_id == "01"
    assert moved.pk in _listed(facilities_standard_list.uncached(scope=PROVINCE_01, filters={}))["unmet"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_long_lists_pager_elides_the_far_pages(language):
    from django.http import QueryDict

    from dashboards.presentation_facilities import standard_pager

    with translation.override(language):
        pager = standard_pager(QueryDict("level=primary&export=csv"), "unmet_page", 1000, 25, 20, "fac_standard_unmet")
        gap = str(translation.gettext("…"))
    items = re.findall(r'<li class="page-item( active| disabled)?">(.*?)</li>', pager)
    shown = [re.sub(r"<[^>]+>", "", text) for _state, text in items]
    assert shown == ["1", gap, "18", "19", "20", "21", "22", gap, "40"]
    assert [state for state, _text in items].count(" disabled") == 2 and 'aria-current="page">20<' in pager
    assert 'href="?level=primary&amp;unmet_page=21#fac_standard_unmet"' in pager and "export" not in pager
