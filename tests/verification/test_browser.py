"""A ministry user starts a run from the web and watches it finish; a school administrator then
sees what to fix. Headless Chromium, a real worker and the mock registry."""
import re

import pytest

from tests.conftest import save_artifact

from .conftest import bulk_pupils

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_ministry_runs_a_province_and_school_sees_failures(page, login, live_server, worker, registry,
                                                            ministry_user, school_user, school_a):
    pupils = bulk_pupils(school_a, 80, mismatch_every=8)
    login(page, ministry_user)
    page.click("text=Xác thực định danh")
    page.select_option("#id_province", "01")
    page.click("text=Bắt đầu xác thực")

    page.wait_for_url(re.compile(r"/verification/runs/\d+/$"))
    page.locator('[data-testid="run-progress"][data-status="finished"]').wait_for(timeout=30_000)
    assert page.get_by_test_id("progress-bar").inner_text().strip() == "100.0%"
    assert "Hoàn thành" in page.get_by_test_id("run-status").inner_text()
    counts = page.get_by_test_id("state-counts")
    assert counts.locator('[data-state="verified"] td').nth(1).inner_text() == str(len(pupils["match"]))
    assert counts.locator('[data-state="mismatch"] td').nth(1).inner_text() == str(len(pupils["mismatch"]))
    save_artifact(page, "verification-run-finished")

    page.click("text=Đăng xuất")
    login(page, school_user)
    page.click("text=Xác thực định danh")
    page.wait_for_url(re.compile(r"/verification/failures/"))
    reasons = page.get_by_test_id("reason")
    assert reasons.count() == len(pupils["mismatch"])
    assert "họ và tên" in reasons.first.inner_text()
    save_artifact(page, "verification-failures-school")
