"""Login throttling under parallel attempts: the attempt is reserved before the password is
checked, so a burst of guesses cannot all be evaluated, and a right password sent inside the
burst, beyond the limit, does not log in.

The password hasher is slowed down (as a real PBKDF2/Argon2 hash is slow) and counts how many
passwords it checks; the requests go through the real login form, backend and Redis."""
import threading
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connections
from django.test import Client, override_settings

from security import lockout
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-2026"
LIMIT = 5
HASH_SECONDS = 1.0


class CountingSlowHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, slow and counted: `checked` is the number of password evaluations."""

    checked = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingSlowHasher.lock:
            CountingSlowHasher.checked += 1
        time.sleep(HASH_SECONDS)
        return super().verify(password, encoded)


slow_hasher = override_settings(
    PASSWORD_HASHERS=["tests.security.test_lockout_race.CountingSlowHasher"],
    LOGIN_FAILURES_PER_USERNAME=LIMIT,
)


def login_in_thread(results: dict, key, username: str, password: str, ip: str, barrier=None):
    def run():
        try:
            if barrier is not None:
                barrier.wait(timeout=30)
            client = Client()
            response = client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)
            results[key] = (response.status_code, response.content.decode(), "_auth_user_id" in client.session)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for_checks(count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while CountingSlowHasher.checked < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert CountingSlowHasher.checked >= count


@pytest.fixture
def counting_hasher():
    CountingSlowHasher.checked = 0
    with slow_hasher:
        yield CountingSlowHasher


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_wrong_passwords_gets_only_the_limit_evaluated(counting_hasher, throttle_subjects):
    user = UserFactory(username="song_song")
    throttle_subjects(username=user.username, ip="10.20.0.1")
    burst = 25
    barrier = threading.Barrier(burst)
    results: dict = {}
    threads = [login_in_thread(results, n, user.username, f"wrong-{n}", "10.20.0.1", barrier) for n in range(burst)]
    for thread in threads:
        thread.join(timeout=60)

    assert counting_hasher.checked == LIMIT
    assert len(results) == burst and not any(logged_in for _, _, logged_in in results.values())
    refused = [body for _, body, _ in results.values() if "Bạn đã nhập sai quá nhiều lần" in body]
    assert len(refused) >= burst - LIMIT
    assert lockout.lock_state(username=user.username, ip=None).locked


@pytest.mark.django_db(transaction=True)
def test_the_right_password_inside_the_burst_beyond_the_limit_does_not_log_in(counting_hasher, throttle_subjects):
    user = UserFactory(username="doan_trung")
    throttle_subjects(username=user.username, ip="10.20.0.2")
    results: dict = {}
    # The first LIMIT guesses are being hashed (none has failed yet, so no lock exists)...
    first = [login_in_thread(results, n, user.username, f"wrong-{n}", "10.20.0.2") for n in range(LIMIT)]
    wait_for_checks(LIMIT)
    # ...when more guesses arrive, the right password among them.
    later = [login_in_thread(results, f"later-{n}", user.username, f"again-{n}", "10.20.0.2") for n in range(5)]
    later.append(login_in_thread(results, "right", user.username, PASSWORD, "10.20.0.2"))
    for thread in first + later:
        thread.join(timeout=60)

    status, body, logged_in = results["right"]
    assert not logged_in and status == 200
    assert "Bạn đã nhập sai quá nhiều lần" in body
    assert counting_hasher.checked == LIMIT  # the right password was never checked
    assert not any(logged_in for _, _, logged_in in results.values())


@pytest.mark.django_db
def test_a_right_password_within_the_limit_gives_back_the_address_reservation(throttle_subjects):
    """A success is not a failure: the address's counter goes back down, the username's is cleared."""
    user = UserFactory(username="dung_mat_khau")
    throttle_subjects(username=user.username, ip="10.20.0.3")
    attempt = lockout.attempt_reserve(username=user.username, ip="10.20.0.3")
    assert not attempt.refused and [count for _, count, _ in attempt.reserved] == [1, 1]
    lockout.attempt_succeeded(attempt)
    again = lockout.attempt_reserve(username=user.username, ip="10.20.0.3")
    assert [count for _, count, _ in again.reserved] == [1, 1]
    lockout.attempt_failed(again)
