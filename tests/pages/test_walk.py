"""The page walker (issue 21): every page of the access matrix, opened in headless Chromium as the ministry, a
province and a school, at 1366 px and 390 px, in Vietnamese and in English. It fails when a page scrolls sideways
(a table or a form wider than a phone: they scroll inside their own box), when axe-core finds a critical or
serious WCAG 2 A/AA violation, and, in English, when Vietnamese source strings are left in the page
(tests/i18n_check.py).

The pages and the objects they name come from tests/access/test_matrix.py (RULES and its `world`): a new page is
walked as soon as it is declared there. One browser, one context per user, reused for every page; pages are
checked once loaded (domcontentloaded: charts and htmx need no network wait), the narrow width by resizing the
same page. About 60 pages for each user.
"""
from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from dashboards.services import stats_refresh_all
from tests.access.test_matrix import RULES, world  # noqa: F401 - `world` is the matrix's fixture, used here
from tests.pages import walker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The matrix's users who stand for the demo's three: the ministry, Hà Nội, a school of Hà Nội.
USERS = ("ministry", "province_x", "school_a")
WIDTHS = (1366, 390)
# Not pages: files and JSON (they download or show no layout). htmx fragments are recognised by having no <main>.
NOT_PAGES = {"healthz", "uploads:template", "uploads:error_file", "uploads:original"}


def _pages_for(role: str, objects) -> list[tuple[str, str]]:
    """(URL name, address) of the pages this role opens and gets (200), per the matrix."""
    return [(name, reverse(name, kwargs=rule.kwargs(objects)) + rule.query) for name, rule in sorted(RULES.items())
            if rule.method == "get" and rule.expect[role] == 200 and name not in NOT_PAGES]


def _signed_in_context(browser, live_server, user):
    """A browser context holding the user's session (the login form is tested elsewhere; here it would cost a
    page per user and the lockout's counters)."""
    client = Client()
    client.force_login(user)
    # bypass_csp: axe is injected as an inline script; the pages' own policy is tested in tests/security.
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True,
                                  viewport={"width": WIDTHS[0], "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context


SPENT = {"load": 0.0, "axe": 0.0, "widths": 0.0}  # where the walk's time goes, printed at its end


def _open(page, url: str) -> bool:
    """Open a page; False when it is not one to check (a download, an htmx fragment)."""
    started = time.monotonic()
    try:
        response = page.goto(url, wait_until="domcontentloaded")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return False
        raise
    assert response is not None and response.ok, (url, response and response.status)
    SPENT["load"] += time.monotonic() - started
    return walker.is_full_page(page)


def _check(page, where, problems: list, *, axe: bool, english: bool) -> None:
    """The page at the width it was loaded at, then resized to the other one (and left there: the next page loads
    at that width, which saves a resize per page). axe runs at the width the page was loaded at."""
    started = time.monotonic()
    if axe:
        for violation in walker.axe_violations(page):
            problems.append((*where, "axe", violation))
    SPENT["axe"] += time.monotonic() - started
    title = page.title()
    if not title.strip() or "<" in title or len(title) > 200:  # a template's block left open swallows the page
        problems.append((*where, "document title", title[:120]))
    if english:
        left = walker.untranslated(page)
        if left:
            problems.append((*where, "Vietnamese left in English", left))
    started = time.monotonic()
    first = page.viewport_size["width"]
    for width in sorted(WIDTHS, key=lambda w: w != first):
        if width != first:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(walker.NEXT_FRAMES_JS)  # charts redraw at the new width on the next frame
        found = walker.overflow(page)
        if found:
            problems.append((*where, width, "page wider than the window", found))
        spilled = walker.spilled_cells(page)
        if spilled:
            problems.append((*where, width, "text running over into the next cell", spilled))
    SPENT["widths"] += time.monotonic() - started


def test_every_page_fits_a_phone_and_passes_axe_in_both_languages(browser, live_server, world):  # noqa: F811
    stats_refresh_all()  # the dashboards with their tables and charts, not "no figures yet"
    started = time.monotonic()
    problems: list = []
    walked = 0
    axed: set[str] = set()
    in_english: set[str] = set()
    for role in USERS:
        context = _signed_in_context(browser, live_server, world["users"][role])
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages = []
        # Vietnamese (the default): both widths on every page, and axe on each page once (the first user who
        # opens it: the three users see the same templates, and axe is the slow part).
        for name, url in _pages_for(role, world):
            if _open(page, live_server.url + url):
                pages.append((name, url))
                _check(page, (role, "vi", url), problems, axe=name not in axed, english=False)
                axed.add(name)
                walked += 1
        # English, chosen as a user does (the language menu): both widths and the untranslated check, on each page
        # once (the first user who opens it; English text and its length depend on the template, not the role).
        # axe's rules do not depend on the language (lang attribute aside, checked in Vietnamese).
        page.goto(live_server.url + "/", wait_until="domcontentloaded")
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        assert page.evaluate("document.documentElement.lang") == "en"
        for name, url in pages:
            if name in in_english:
                continue
            in_english.add(name)
            _open(page, live_server.url + url)
            _check(page, (role, "en", url), problems, axe=False, english=True)
            walked += 1
        context.close()
    elapsed = time.monotonic() - started
    note = "; tests/i18n_check.py missing: English text not checked" if walker.i18n_check is None else ""
    print(f"walked {walked} pages (axe on {len(axed)}, English {len(in_english)}) in {elapsed:.0f} s: "
          + ", ".join(f"{k} {v:.0f} s" for k, v in SPENT.items()) + note)
    assert walked > 100, walked  # the walk reached the pages (not all skipped as fragments)
    assert not problems, "\n".join(repr(p) for p in problems)
