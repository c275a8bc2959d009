"""The mock registry as a real process over loopback HTTP, a real Celery worker, real Redis.

The registry is started once per session (per test process in parallel runs) with the test client
secret, on port 8199 (the test settings' POPULATION_API_URL) or, when that is taken or the tests run
in parallel, on any free port, and stopped by its PID. Each test starts from the registry's default
behaviour with counters cleared, and from empty verification state in Redis.
"""
from __future__ import annotations

import datetime as dt
import itertools
import time

import httpx
import pytest

from demo_population.truth import citizen_for, id_number_for
from students.models import Enrollment, Student
from tests.processes import free_port, start_registry, stop, thread_worker
from verification.models import VerificationStatus
from verification.resilience import redis_client

REGISTRY_PORT = 8199  # the test settings' POPULATION_API_URL
ADMIN_KEY = "test-registry-admin"
SEED = 2026
FINAL = {s.value for s in (VerificationStatus.VERIFIED, VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND,
                           VerificationStatus.INVALID_ID, VerificationStatus.ERROR)}


class RegistryAdmin:
    """Turns the mock's faults up and down and reads its counters, through its admin endpoint."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, headers={"X-Admin-Key": ADMIN_KEY}, timeout=10)

    def set(self, **changes) -> dict:
        response = self.http.put("/admin/behaviour", json=changes)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict:
        return self.http.get("/admin/stats").json()

    def reset(self) -> None:
        self.http.post("/admin/reset", params={"education": "1"}).raise_for_status()

    def calls(self) -> int:
        s = self.stats()
        return s.get("verify_requests", 0) + s.get("token_requests", 0)


@pytest.fixture(scope="session")
def registry_server():
    from django.test import override_settings

    port = free_port(REGISTRY_PORT)
    url = f"http://127.0.0.1:{port}"
    proc = start_registry(port, env={
        "POPULATION_REGISTRY_CLIENT_SECRET": "test-registry-secret", "POPULATION_REGISTRY_ADMIN_KEY": ADMIN_KEY,
        "POPULATION_REGISTRY_LATENCY_MS": "10", "POPULATION_REGISTRY_RATE_LIMIT": "0", "DEMO_SEED": str(SEED)},
        timeout=15)
    admin = RegistryAdmin(url)
    using = override_settings(POPULATION_API_URL=url)
    using.enable()
    yield admin
    using.disable()
    from verification.registry_client import close_clients

    close_clients()
    admin.http.close()
    stop(proc, timeout=5)


def clear_verification_redis() -> None:
    client = redis_client()
    keys = list(client.scan_iter("verification:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def registry(registry_server, settings):
    """The registry at its defaults (10 ms latency, no faults), and quick retry settings."""
    settings.VERIFICATION_BATCH_SIZE = 50
    settings.VERIFICATION_RATE_LIMIT = 1000.0
    settings.VERIFICATION_BACKOFF_BASE = 0.05
    settings.VERIFICATION_BACKOFF_MAX = 0.5
    settings.VERIFICATION_MAX_FAILURES = 8
    settings.VERIFICATION_BREAKER_THRESHOLD = 3
    settings.VERIFICATION_BREAKER_COOLDOWN = 1.0
    settings.POPULATION_API_TIMEOUT = 2.0
    registry_server.reset()
    clear_verification_redis()
    yield registry_server
    registry_server.reset()
    clear_verification_redis()


@pytest.fixture
def worker(registry, transactional_db):
    """A Celery worker thread in this process (solo pool), consuming the test broker."""
    with thread_worker():
        yield


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.1, message="condition"):
    """`predicate()` once it is true; an AssertionError naming `message` (or what `message()` says then) after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message() if callable(message) else message}")


def statuses(ids) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(Student.objects.filter(pk__in=list(ids)).values_list("verification_status", flat=True)))


def all_final(ids) -> bool:
    return set(statuses(ids)) <= FINAL


_serials = itertools.count(300_000)


def unknown_identity() -> dict:
    """A well-formed ID number the registry has no citizen for (NOT_FOUND)."""
    for serial in _serials:
        number = id_number_for(legacy_province_code="001", year_of_birth=2014, gender="M", serial=serial)
        if citizen_for(number, SEED) is None:
            return {"id_number": number, "full_name": "Trần Văn Không Có", "date_of_birth": dt.date(2014, 5, 5),
                    "gender": "M"}
    raise AssertionError("unreachable")


def known_identity() -> dict:
    for serial in _serials:
        number = id_number_for(legacy_province_code="001", year_of_birth=2014, gender="F", serial=serial)
        citizen = citizen_for(number, SEED)
        if citizen:
            return {"id_number": number, "full_name": citizen.full_name, "date_of_birth": citizen.date_of_birth,
                    "gender": citizen.gender}
    raise AssertionError("unreachable")


_codes = itertools.count(1)


def bulk_pupils(school, n: int, *, mismatch_every: int = 0, unknown_every: int = 0, school_year: int | None = None):
    """n pupils written in bulk as unverified (the way seed_demo loads them), with an enrollment.

    Every `mismatch_every`-th has a name the registry does not hold, every `unknown_every`-th an ID
    number it does not know. Returns {"ids", "match", "mismatch", "not_found"} (lists of pks)."""
    from edu_portal.common.models import current_school_year

    rows, kinds = [], []
    for i in range(1, n + 1):
        if unknown_every and i % unknown_every == 0:
            identity, kind = unknown_identity(), "not_found"
        else:
            identity, kind = known_identity(), "match"
            if mismatch_every and i % mismatch_every == 0:
                identity["full_name"] = "Lê Thị Sai Tên"
                kind = "mismatch"
        rows.append(Student(pupil_code=f"VB{next(_codes):08d}", school=school, **identity))
        kinds.append(kind)
    created = Student.objects.bulk_create(rows)
    Enrollment.objects.bulk_create([Enrollment(student=s, school=school, grade=3, class_name="3A",
                                               school_year=school_year or current_school_year()) for s in created])
    out = {"ids": [s.pk for s in created], "match": [], "mismatch": [], "not_found": []}
    for s, kind in zip(created, kinds, strict=True):
        out[kind].append(s.pk)
    return out
