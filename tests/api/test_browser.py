"""A ministry user issues a token on the tokens page in headless Chromium, uses it, revokes it."""
import pytest
from django.test import Client

from api.models import ApiToken, token_hash
from tests.conftest import save_artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ministry_issues_and_revokes_a_token(page, login, live_server, ministry_user, province_user):
    login(page, ministry_user)
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("nav-group-admin").click()  # the administration menu of the navigation bar
    page.get_by_role("link", name="Mã truy cập API").click()
    page.wait_for_url("**/api/v1/tokens/")
    form = page.get_by_test_id("token-form")
    form.locator("#id_user").select_option(str(province_user.pk))
    form.locator("#id_name").fill("Phần mềm quản lý trường Hà Nội")
    form.locator("#id_scope_kind").select_option("province")
    form.locator("#id_province").select_option("01")
    form.get_by_role("button", name="Cấp mã mới").click()
    secret = page.get_by_test_id("new-token-secret").inner_text().strip()
    save_artifact(page, "api_token_issued")
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    assert token.user == province_user and token.scope_label() == "province:01" and not token.can_write
    assert Client().get("/api/v1/schools/", headers={"Authorization": f"Token {secret}"}).status_code == 200

    page.goto(f"{live_server.url}/api/v1/tokens/")  # the secret is never shown again
    assert secret not in page.content() and token.key_prefix in page.content()
    assert "Thành phố Hà Nội" in page.get_by_test_id("token-scope").first.inner_text()  # the scope in words
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"revoke-{token.pk}").click()
    page.wait_for_load_state()
    assert "Đã thu hồi" in page.get_by_test_id("token-table").inner_text()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/schools/", headers={"Authorization": f"Token {secret}"}).status_code == 401
