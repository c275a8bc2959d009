"""Login throttling: 5 wrong passwords lock a username for 15 minutes, 20 lock an address;
the lock holds against the right password and every login door; it lifts by itself."""
import time

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from security import lockout
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-2026"


def post_login(client, username, password, ip):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(client, throttle_subjects):
    user = UserFactory(username="khoa_thu")
    throttle_subjects(username=user.username, ip="10.1.2.3")
    throttle_subjects(username="nguoi_khac", ip="10.9.9.9")
    for attempt in range(4):
        response = post_login(client, user.username, f"wrong-{attempt}", ip="10.1.2.3")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    response = post_login(client, user.username, "wrong-5", ip="10.1.2.3")
    body = response.content.decode()
    assert "Bạn đã nhập sai quá nhiều lần" in body and "15 phút" in body

    response = post_login(client, user.username, PASSWORD, ip="10.1.2.3")  # the right password
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "thử lại sau 15 phút" in response.content.decode()
    response = post_login(client, user.username, PASSWORD, ip="10.9.9.9")
    assert "_auth_user_id" not in client.session

    # Every other door goes through the same backend (admin login, DRF session login).
    assert authenticate(None, username=user.username, password=PASSWORD) is None
    other = UserFactory(username="nguoi_khac")
    assert post_login(client, other.username, PASSWORD, ip="10.9.9.9").status_code == 302  # others can


@pytest.mark.django_db
def test_success_before_the_limit_resets_the_username_counter(client, throttle_subjects):
    user = UserFactory(username="quen_mat_khau")
    throttle_subjects(username=user.username, ip="10.1.2.4")
    for _ in range(4):
        post_login(client, user.username, "wrong", ip="10.1.2.4")
    assert post_login(client, user.username, PASSWORD, ip="10.1.2.4").status_code == 302
    client.logout()
    for _ in range(4):
        post_login(client, user.username, "wrong", ip="10.1.2.4")
    assert post_login(client, user.username, PASSWORD, ip="10.1.2.4").status_code == 302


@pytest.mark.django_db
def test_an_address_guessing_many_usernames_is_locked(client, throttle_subjects):
    user = UserFactory(username="nan_nhan")
    throttle_subjects(username=user.username, ip="203.0.113.7")
    throttle_subjects(ip="203.0.113.8")
    for n in range(20):
        throttle_subjects(username=f"khong_ton_tai_{n}")
        post_login(client, f"khong_ton_tai_{n}", "wrong", ip="203.0.113.7")
    response = post_login(client, user.username, PASSWORD, ip="203.0.113.7")
    assert "Bạn đã nhập sai quá nhiều lần" in response.content.decode()
    assert post_login(client, user.username, PASSWORD, ip="203.0.113.8").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_LOCKOUT_SECONDS=2, LOGIN_FAILURES_PER_USERNAME=2)
def test_the_lock_lifts_by_itself(client, throttle_subjects):
    user = UserFactory(username="tu_mo_khoa")
    throttle_subjects(username=user.username, ip="10.1.2.5")
    post_login(client, user.username, "wrong", ip="10.1.2.5")
    post_login(client, user.username, "wrong", ip="10.1.2.5")
    assert lockout.lock_state(username=user.username, ip=None).locked
    deadline = time.monotonic() + 10
    while lockout.lock_state(username=user.username, ip=None).locked and time.monotonic() < deadline:
        time.sleep(0.2)
    assert post_login(client, user.username, PASSWORD, ip="10.1.2.5").status_code == 302


@override_settings(SECURITY_TRUSTED_PROXY_COUNT=1)
def test_client_ip_trusts_only_the_configured_proxies(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4", REMOTE_ADDR="10.0.0.1")
    assert lockout.client_ip(request) == "198.51.100.4"  # the address our proxy saw, not a forged one
    with override_settings(SECURITY_TRUSTED_PROXY_COUNT=0):
        assert lockout.client_ip(request) == "10.0.0.1"


@pytest.mark.django_db
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:9/0"}})  # nothing listens there
def test_logins_still_work_when_redis_is_down(client, caplog):
    user = UserFactory(username="redis_down")
    assert post_login(client, user.username, "wrong", ip="10.1.2.6").status_code == 200
    assert post_login(client, user.username, PASSWORD, ip="10.1.2.6").status_code == 302
    assert "login throttle: cache unavailable" in caplog.text


@pytest.mark.django_db
def test_a_loopback_peer_is_never_locked_as_an_address(client, throttle_subjects):
    """Without trusted proxy headers, a local reverse proxy is the peer of every request."""
    user = UserFactory(username="sau_proxy")
    throttle_subjects(username=user.username)
    for n in range(25):
        throttle_subjects(username=f"khong_ton_tai_{n}")
        post_login(client, f"khong_ton_tai_{n}", "wrong", ip="127.0.0.1")
    assert post_login(client, user.username, PASSWORD, ip="127.0.0.1").status_code == 302
