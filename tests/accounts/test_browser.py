"""The login page and the three demo logins, in headless Chromium."""
import pytest

from demo_population.services import demo_users_ensure
from tests.conftest import save_artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_logins_see_their_scope(page, live_server, school_a, school_other_province):
    users = {u.username: u for u in demo_users_ensure()}
    expected = {"ministry": "Toàn quốc", "hanoi": "Thành phố Hà Nội", "school": school_a.name}
    for username, scope_text in expected.items():
        page.goto(f"{live_server.url}/login/")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.fill("#id_username", users[username].username)
        page.fill("#id_password", "edu-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        assert scope_text in page.get_by_test_id("scope").inner_text()
        save_artifact(page, f"home-{username}")
        page.click("text=Đăng xuất")
        page.wait_for_url(f"{live_server.url}/login/")


def test_wrong_password_gets_a_vietnamese_message(page, live_server, ministry_user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", ministry_user.username)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "không đúng" in page.locator(".alert-danger").inner_text()
