"""Every page, in English, as the ministry, a province and a school: no Vietnamese source text left (issue 21).

The pages are those of the access matrix (tests/access/test_matrix.py RULES: every named URL answering a GET),
with the matrix's objects and the statistics computed, so the dashboards have tables and charts to show. Each
page that answers 200 is read by tests/i18n_check.untranslated; the test lists every string found, page by page.
"""
import pytest
from django.conf import settings
from django.urls import reverse

from dashboards.services import stats_refresh_all
from tests.access.test_matrix import RULES, world  # noqa: F401 - the fixture
from tests.i18n_check import data_values, segments, untranslated

pytestmark = pytest.mark.django_db

ROLES = ("ministry", "province_x", "school_a")
# Pages that are files, not pages (the upload templates, the error file...): not HTML to read.
NOT_PAGES = {"uploads:template", "uploads:error_file", "uploads:original", "healthz", "logout", "set_language"}


def test_the_checker_finds_source_strings_and_vietnamese_text_but_not_data():
    page = ('<html lang="en"><body><h1>Toàn quốc</h1><p title="Xem danh sách">Pupils</p>'
            '<td>Trường Tiểu học Anpha</td><span translate="no">Lớp 3A - cô Hương</span>'
            '<option lang="vi">Tiếng Việt</option><p>Hello, Nguyễn Văn An</p><p>Xem</p>'
            '<script>var x = "Đang tải";</script>'
            '<script type="application/json" id="c">{"labels": ["Học sinh", "Pupils"]}</script></body></html>')
    found = untranslated(page, data=["Trường Tiểu học Anpha", "Nguyễn Văn An"])
    assert found == ["Toàn quốc", "Xem danh sách", "Xem", "Học sinh"]
    assert "Hello, Nguyễn Văn An" in segments(page)  # seen, and passed as data
    assert untranslated("<p>Pupils studying in 2026-2027: 38,809</p>") == []


def test_every_page_in_english_has_no_vietnamese_source_text_left(client, world):  # noqa: F811
    stats_refresh_all()
    data = data_values() | {"Thử", "Trường mới thành lập", "Sai sĩ số", "Bổ sung", "Nhập trùng"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found: dict[str, list[str]] = {}
    pages = 0
    for role in ROLES:
        client.force_login(world["users"][role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for name, rule in sorted(RULES.items()):
            if rule.method != "get" or name in NOT_PAGES:
                continue
            url = reverse(name, kwargs=rule.kwargs(world)) + rule.query
            response = client.get(url, follow=True)
            # Refusals too: a 403 or 404 page speaks the reader's language as well.
            if response.status_code not in (200, 403, 404) or not response["Content-Type"].startswith("text/html"):
                continue
            pages += 1
            left = untranslated(response.content.decode(), data=data)
            if left:
                found[f"{role} {url}"] = left
    assert pages > 60
    report = "\n".join(f"{page}: {strings}" for page, strings in found.items())
    assert not found, f"Vietnamese text left in English pages:\n{report}"
