"""The lockout as a person meets it, in headless Chromium; and the CSP lets the pages work."""
import pytest

from accounts.models import Role
from tests.conftest import save_artifact
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lockout_message_on_the_login_page(page, live_server, throttle_subjects):
    # A username of its own: parallel tests log in as the shared fixtures' users, and a
    # successful login resets that username's counter.
    ministry_user = UserFactory(username="khoa_trong_trinh_duyet", role=Role.MINISTRY)
    throttle_subjects(username=ministry_user.username)
    csp_violations = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    for attempt in range(5):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", ministry_user.username)
        page.fill("#id_password", f"doan-sai-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    message = page.get_by_test_id("login-error").inner_text()
    assert "Bạn đã nhập sai quá nhiều lần" in message and "15 phút" in message
    assert page.input_value("#id_username") == ministry_user.username  # kept, not retyped

    page.fill("#id_password", "pw-for-tests-2026")  # the right password does not open it now
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/login/") and "15 phút" in page.get_by_test_id("login-error").inner_text()
    save_artifact(page, "security-login-locked")

    # The language switcher (an inline handler, allowed by the CSP) still works.
    with page.expect_navigation(url="**/login/**"):
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert csp_violations == []
