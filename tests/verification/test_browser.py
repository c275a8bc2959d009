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
    page.get_by_test_id("nav-group-data").click()  # its menu in the navigation bar
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
    page.get_by_test_id("nav-group-data").click()  # its menu in the navigation bar
    page.click("text=Xác thực định danh")
    page.wait_for_url(re.compile(r"/verification/failures/"))
    reasons = page.get_by_test_id("reason")
    assert reasons.count() == len(pupils["mismatch"])
    assert "họ và tên" in reasons.first.inner_text()
    save_artifact(page, "verification-failures-school")


def test_school_fixes_a_verification_failure_from_the_todo_list(page, login, live_server, worker, registry, settings,
                                                                 school_user, school_a):
    """As a school: a pupil whose name is spelled differently from the population registry is on the
    to-do list with the reason in words; the item opens the edit form, which says the same; the name
    corrected and saved, the pupil's page shows the check in progress, then "verified" by itself (htmx
    polling the worker's answer), and the item is gone from the to-do list."""
    from accounts.scope import Scope
    from students.models import Student
    from students.services import student_create

    from .conftest import known_identity, wait_until

    identity = known_identity()
    registry_name = identity["full_name"]
    pupil = student_create(scope=Scope.country(can_view_id_numbers=True), school=school_a, pupil_code="HSTODO01",
                           grade=3, class_name="3A", ethnicity="Kinh", **{**identity, "full_name": "Nguyễn Thị Sai Tên"})
    wait_until(lambda: Student.objects.get(pk=pupil.pk).verification_status == "mismatch", timeout=30,
               message="the first check's mismatch")

    login(page, school_user)
    item = page.locator(f'[data-testid="todo-student_verification"] [data-testid="todo-item"][data-pk="{pupil.pk}"]')
    assert "họ và tên" in item.inner_text()
    save_artifact(page, "todo-mismatch")
    item.get_by_test_id("todo-fix").click()
    page.wait_for_url(re.compile(rf"/students/{pupil.pk}/edit/$"))
    assert "họ và tên" in page.get_by_test_id("fix-reasons").inner_text()

    # The registry answers slowly now, so that the page is seen waiting for it.
    settings.POPULATION_API_TIMEOUT = 10.0
    registry.set(latency_ms=2500)
    page.fill("#id_full_name", registry_name)
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(rf"/students/{pupil.pk}/$"))
    state = page.get_by_test_id("identity-state")
    assert state.get_attribute("data-status") == "queued"
    assert "Đang xác thực" in state.inner_text()
    save_artifact(page, "todo-verifying")
    page.locator('[data-testid="identity-state"][data-status="verified"]').wait_for(timeout=30_000)
    assert "Đang xác thực" not in page.get_by_test_id("identity-state").inner_text()
    assert page.url.endswith(f"/students/{pupil.pk}/")  # no reload by hand: the block swapped itself
    save_artifact(page, "todo-verified")

    page.goto(f"{live_server.url}/")
    assert page.locator(f'[data-testid="todo-item"][data-pk="{pupil.pk}"]').count() == 0
