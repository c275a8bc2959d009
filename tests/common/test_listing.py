"""The list component of every list page (edu_portal.common.listing and views.list_page): sorting by column,
numbered pages and page size, and the export of what the list shows (CSV and Excel), through the pages."""
import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages

from audit.models import Action, AuditEvent
from students.models import Student
from tests.exports import export_rows, read_export
from tests.factories import make_staff, make_student, real_identity

pytestmark = pytest.mark.django_db


def _rows(response) -> list:
    return list(response.context["page"])


@pytest.fixture
def pupils(school_a):
    """Five pupils of school A: two born the same day (the id decides between them)."""
    born = [dt.date(2015, 3, 1), dt.date(2014, 5, 2), dt.date(2015, 3, 1), dt.date(2016, 1, 9), dt.date(2013, 7, 7)]
    return [make_student(school_a, **{**real_identity(serial=700_000 + 11 * i, year=d.year), "date_of_birth": d},
                         grade=3 + i % 2, class_name=f"{3 + i % 2}A")
            for i, d in enumerate(born)]


# --- sorting ---------------------------------------------------------------------------------------

def test_a_column_sorts_both_ways_with_the_id_deciding_ties(client, school_user, pupils):
    client.force_login(school_user)
    ascending = _rows(client.get("/students/", {"sort": "born"}))
    assert ascending == sorted(pupils, key=lambda p: (p.date_of_birth, p.pk))
    descending = _rows(client.get("/students/", {"sort": "-born"}))
    assert descending == sorted(pupils, key=lambda p: (p.date_of_birth, p.pk), reverse=True)


def test_the_header_marks_the_sorted_column_and_links_the_other_way(client, school_user, pupils):
    client.force_login(school_user)
    html = client.get("/students/", {"sort": "born", "per_page": "50", "page": "1"}).content.decode()
    header = re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*href="([^"]+)"[^>]*>([^<]+)', html)
    assert header and "Ngày sinh" in header.group(2) and "▲" in html
    # The link sorts the other way, keeps the page size, and starts again at page 1.
    assert "sort=-born" in header.group(1) and "per_page=50" in header.group(1) and not re.search(r"[?;]page=", header.group(1))
    assert 'aria-sort="none"' in html  # the other sortable columns
    # The filter form carries the sort and the page size, so a new filter keeps them.
    assert '<input type="hidden" name="sort" value="born">' in html
    assert '<input type="hidden" name="per_page" value="50">' in html


@pytest.mark.parametrize("sort", ["password", "-", "id_number", "school__secret", "born;drop", "-" * 300, "\x00"])
def test_an_unknown_sort_key_is_ignored(client, school_user, pupils, sort):
    client.force_login(school_user)
    response = client.get("/students/", {"sort": sort})
    assert response.status_code == 200
    assert _rows(response) == list(Student.objects.filter(pk__in=[p.pk for p in pupils]))  # the list's own order


def test_a_sort_without_an_index_waits_for_a_narrowed_list(client, ministry_user, school_a, pupils):
    """The country's pupils sort by code or name only (an index gives the order); by birth date once the list
    holds a school's or a commune's pupils."""
    client.force_login(ministry_user)
    wide = client.get("/students/", {"sort": "born"})
    assert wide.context["listing"]["sort"].refused and 'data-testid="sort-refused"' in wide.content.decode()
    assert _rows(wide) == list(Student.objects.filter(pk__in=[p.pk for p in pupils]))
    narrow = client.get("/students/", {"sort": "born", "province": "01", "commune": school_a.commune_id,
                                       "school": school_a.pk})
    assert _rows(narrow) == sorted(pupils, key=lambda p: (p.date_of_birth, p.pk))
    by_code = client.get("/students/", {"sort": "-code"})
    assert _rows(by_code) == sorted(pupils, key=lambda p: p.pupil_code, reverse=True)


# --- pages -----------------------------------------------------------------------------------------

def test_page_edges_and_page_sizes(client, school_user, school_a, settings):
    for _ in range(27):
        make_student(school_a)
    client.force_login(school_user)
    for page, expected in [("0", 2), ("-1", 2), ("abc", 1), ("999", 2), ("", 1), ("2", 2)]:
        response = client.get("/students/", {"page": page})
        assert response.status_code == 200 and response.context["page"].number == expected, page
    assert client.get("/students/", {"per_page": "7"}).context["per_page"] == 25
    assert client.get("/students/", {"per_page": "x"}).context["per_page"] == 25
    response = client.get("/students/", {"per_page": "50", "sort": "code"})
    assert response.context["per_page"] == 50 and len(_rows(response)) == 27
    # Pages past the middle are read backwards (ListPaginator) and come out in the list's order all the same.
    everyone = list(Student.objects.filter(school=school_a).order_by("pupil_code"))
    for sort, expected in (("code", everyone), ("-code", everyone[::-1]), ("", list(Student.objects.all()))):
        assert _rows(client.get("/students/", {"sort": sort, "page": "2"})) == expected[25:], sort
    assert _rows(client.get("/students/", {"sort": "born", "page": "2"})) == sorted(
        everyone, key=lambda p: (p.date_of_birth, p.pk))[25:]
    html = client.get("/students/", {"sort": "code", "page": "2"}).content.decode()
    assert re.search(r'aria-current="page"><span class="page-link" data-testid="current-page">2<', html)
    assert 'href="?sort=code&amp;page=1"' in html  # the other page keeps the sort
    assert "27 bản ghi" in html


def test_the_total_and_page_numbers_use_the_languages_thousands_separator(client, school_user, pupils):
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load humanize %}{{ n|intcomma }}")
    with translation.override("vi"):
        assert template.render(Context({"n": 1553})) == "1.553"
    with translation.override("en"):
        assert template.render(Context({"n": 1553})) == "1,553"


# --- exports ---------------------------------------------------------------------------------------

def test_the_export_holds_the_screens_rows_in_its_order_all_pages(client, school_user, school_a, pupils):
    for _ in range(26):
        make_student(school_a, grade=3, class_name="3A")
    client.force_login(school_user)
    query = {"sort": "-born", "grade": "3", "class_name": "3A"}
    screen = _rows(client.get("/students/", {**query, "per_page": 100}))
    assert len(screen) > 25
    response = client.get("/students/", {**query, "export": "csv", "page": "2"})  # the page is not a filter
    assert response["Content-Type"].startswith("text/csv") and response.content.startswith(b"\xef\xbb\xbf")
    as_of, rows = read_export(response)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Mã học sinh", "Họ và tên"]
    assert [r[0] for r in body] == [p.pupil_code for p in screen]
    assert school_a.name in as_of and "Khối lớp: Khối 3" in as_of and "Lớp: 3A" in as_of and "giờ Việt Nam" in as_of
    assert b";" in response.content.splitlines()[1]  # Vietnamese: Excel's list separator there
    name = re.fullmatch(r'attachment; filename="(.+)"', response["Content-Disposition"]).group(1)
    assert name.isascii() and re.fullmatch(r"hoc-sinh_truong-tieu-hoc-a_khoi-3_3A_\d{4}-\d\d-\d\d\.csv", name), name


def test_the_excel_export_keeps_numbers_and_dates(client, school_user, pupils):
    client.force_login(school_user)
    response = client.get("/students/", {"sort": "born", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    as_of, rows = read_export(response)
    assert as_of.startswith("Học sinh — phạm vi: Trường Tiểu học A")
    header, first = rows[0], rows[1]
    assert isinstance(first[header.index("Ngày sinh")], dt.datetime)  # a date cell (openpyxl reads a datetime)
    assert first[header.index("Ngày sinh")].date() == min(p.date_of_birth for p in pupils)
    assert isinstance(first[header.index("Khối")], int)
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_exports_mask_id_numbers_as_the_page_does_and_full_numbers_are_audited(client, ministry_user, school_user,
                                                                              pupils):
    client.force_login(ministry_user)  # sees masked numbers
    text = client.get("/students/", {"export": "csv"}).content.decode("utf-8-sig")
    assert not any(p.id_number in text for p in pupils) and "*" in text
    assert not AuditEvent.objects.filter(action=Action.EXPORT_ID).exists()
    client.force_login(school_user)  # may see them in full
    text = client.get("/students/", {"export": "csv"}).content.decode("utf-8-sig")
    assert all(p.id_number in text for p in pupils)
    event = AuditEvent.objects.get(action=Action.EXPORT_ID)
    assert sorted(event.record_ids) == sorted(p.pk for p in pupils) and event.actor == school_user.username


def test_an_export_stays_within_the_scope(client, province_user, school_a, school_other_province):
    inside, outside = make_student(school_a), make_student(school_other_province)
    client.force_login(province_user)
    text = client.get("/students/", {"export": "csv", "province": "79"}).content.decode("utf-8-sig")
    assert outside.pupil_code not in text and outside.full_name not in text
    text = client.get("/students/", {"export": "csv"}).content.decode("utf-8-sig")
    assert inside.pupil_code in text and outside.pupil_code not in text


def test_an_export_beyond_the_limit_asks_for_narrower_filters(client, school_user, pupils, monkeypatch):
    monkeypatch.setattr("edu_portal.common.views.EXPORT_MAX", 3)
    client.force_login(school_user)
    response = client.get("/students/", {"export": "xlsx", "sort": "born"})
    assert response.status_code == 302 and "export" not in response["Location"] and "sort=born" in response["Location"]
    assert "hãy lọc hẹp hơn" in str(list(get_messages(response.wsgi_request))[0])
    monkeypatch.setattr("edu_portal.common.views.EXPORT_MAX", len(pupils))  # exactly the limit: exported whole
    assert len(export_rows(client.get("/students/", {"export": "csv"}))) == 1 + len(pupils)


def test_english_exports_are_named_and_separated_in_english(client, school_user, pupils):
    client.force_login(school_user)
    client.cookies["django_language"] = "en"
    make_staff(school_user.school)
    response = client.get("/staff/", {"export": "csv"})
    assert re.search(r'filename="staff_truong-tieu-hoc-a_\d{4}-\d\d-\d\d\.csv"', response["Content-Disposition"])
    as_of, rows = read_export(response)
    assert as_of.startswith("Staff — scope: Trường Tiểu học A") and "Vietnam time" in as_of
    assert rows[0][:2] == ["Staff code", "Full name"] and b"," in response.content.splitlines()[1]


@pytest.mark.parametrize("url", ["/staff/", "/schools/", "/uploads/", "/verification/failures/", "/verification/",
                                 "/students/duplicates/", "/reporting/", "/reporting/notifications/", "/audit/"])
def test_every_list_sorts_and_exports(client, ministry_user, school_a, url):
    make_staff(school_a)
    make_student(school_a)
    Student.objects.update(verification_status="mismatch")
    client.force_login(ministry_user)
    page = client.get(url)
    headers = page.context["listing"]["headers"]
    sortable = [h for h in headers if h["url"]]
    assert sortable, url
    for header in sortable:
        sort = re.search(r"sort=([^&]+)", header["url"]).group(1)
        for value in (sort, "-" + sort.lstrip("-")):
            assert client.get(url, {"sort": value}).status_code == 200, (url, value)
    for fmt in ("csv", "xlsx"):
        response = client.get(url, {"export": fmt})
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"], (url, fmt)
        rows = export_rows(response)
        assert len(rows) - 1 == page.context["page"].paginator.count, (url, fmt)


def test_the_empty_choice_of_a_filter_reads_all(client, ministry_user):
    client.force_login(ministry_user)
    html = client.get("/students/").content.decode()
    assert "---------" not in html and "Tất cả" in html
    html = client.get("/schools/").content.decode()
    assert "---------" not in html and "Mã tỉnh" not in html and "Mã xã" not in html


def test_the_api_tokens_list_sorts_and_exports_without_secrets(client, ministry_user, province_user):
    from api.services import api_token_create
    from schools.selectors import scope_parse

    secrets = [api_token_create(user=province_user, name=name, scope=scope_parse("province:01"))[1]
               for name in ("Bravo", "Alpha", "Charlie")]
    client.force_login(ministry_user)
    assert [t.name for t in client.get("/api/v1/tokens/", {"sort": "name"}).context["page"]] == \
        ["Alpha", "Bravo", "Charlie"]
    assert [t.name for t in client.get("/api/v1/tokens/", {"sort": "-name"}).context["page"]] == \
        ["Charlie", "Bravo", "Alpha"]
    response = client.get("/api/v1/tokens/", {"export": "csv", "sort": "name"})
    rows = export_rows(response)
    assert [r[0] for r in rows[1:]] == ["Alpha", "Bravo", "Charlie"]
    assert not any(secret in response.content.decode("utf-8-sig") for secret in secrets)
    assert {r[rows[0].index("Phạm vi")] for r in rows[1:]} == {province_user.province.name}  # in words


def test_a_list_read_at_once_sorts_in_memory_with_empty_values_where_postgresql_puts_nulls():
    from edu_portal.common.listing import Column, ListSpec, SortState, sort_apply

    spec = ListSpec(what="x", columns=(Column("n", "n", ("n", "name"), unique=True),))
    rows = [{"n": 2, "name": "b"}, {"n": None, "name": "a"}, {"n": 1, "name": "c"}, {"n": 2, "name": "a"}]
    assert [(r["n"], r["name"]) for r in sort_apply(rows, spec, SortState(key="n"))] == \
        [(1, "c"), (2, "a"), (2, "b"), (None, "a")]
    assert [(r["n"], r["name"]) for r in sort_apply(rows, spec, SortState(key="n", descending=True))] == \
        [(None, "a"), (2, "b"), (2, "a"), (1, "c")]


def test_text_sorted_in_memory_follows_the_vietnamese_alphabet():
    """Đ after every D, Ă and Â after A, tones after letters; digits first; case ignored."""
    from edu_portal.common.listing import Column, ListSpec, SortState, sort_apply

    spec = ListSpec(what="x", columns=(Column("name", "name", ("name",), unique=True),))
    names = ["Đức", "Dũng", "Zung", "Ân", "an", "Ăn", "Bính", "Bình", "binh", "10A", "7A", "Ư", "U", "Anh"]
    rows = sort_apply([{"name": n} for n in names], spec, SortState(key="name"))
    assert [r["name"] for r in rows] == ["10A", "7A", "an", "Anh", "Ăn", "Ân", "binh", "Bình", "Bính", "Dũng",
                                         "Đức", "U", "Ư", "Zung"]
