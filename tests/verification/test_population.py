"""The population statistics fetched from the registry as a real process over loopback (issue 17):
stored a year at a time as the registry counts them, a year it has none for left alone, and a
registry that is down retried by the task until it answers."""
from __future__ import annotations

from collections import Counter

import httpx
import pytest

from demo_population.population import population_make, population_write
from edu_portal.common.queue import enqueue
from geo.models import Commune, PopulationCount
from tests.processes import free_port, start_registry, stop, thread_worker
from tests.verification.conftest import ADMIN_KEY, clear_verification_redis, wait_until
from verification.population import population_fetch
from verification.registry_client import close_clients

YEARS = (2023, 2025)


@pytest.fixture
def population_file(tmp_path, db):
    communes = list(Commune.objects.filter(province_id__in=("01", "79")).order_by("code")
                    .values_list("province_id", "code")[:6])
    seeded = Counter({(p, c, born, sex): 10 + i * 7 + born % 5
                      for i, (p, c) in enumerate(communes) for born in range(2006, 2021) for sex in "FM"})
    truth = population_make(seeded, seed=3, first_year=YEARS[0], last_year=YEARS[1])
    path = tmp_path / "population.csv.gz"
    population_write(truth, path)
    return truth, path


@pytest.fixture
def registry(population_file, settings):
    port = free_port()
    proc = start_registry(port, env={
        "POPULATION_REGISTRY_CLIENT_SECRET": "test-registry-secret", "POPULATION_REGISTRY_ADMIN_KEY": ADMIN_KEY,
        "POPULATION_REGISTRY_LATENCY_MS": "5", "POPULATION_REGISTRY_RATE_LIMIT": "0",
        "POPULATION_REGISTRY_POPULATION_FILE": str(population_file[1])}, timeout=15)
    settings.POPULATION_API_URL = f"http://127.0.0.1:{port}"
    settings.VERIFICATION_RATE_LIMIT = 1000.0
    settings.VERIFICATION_BACKOFF_BASE = 0.05
    settings.VERIFICATION_BACKOFF_MAX = 0.3
    settings.VERIFICATION_BREAKER_THRESHOLD = 3
    settings.VERIFICATION_BREAKER_COOLDOWN = 0.5
    settings.POPULATION_API_TIMEOUT = 2.0
    clear_verification_redis()  # a token of another registry process would be refused
    admin = httpx.Client(base_url=settings.POPULATION_API_URL, headers={"X-Admin-Key": ADMIN_KEY}, timeout=10)
    yield admin
    admin.close()
    close_clients()
    clear_verification_redis()
    stop(proc, timeout=5)


def stored(year: int) -> dict:
    return {(r.province_id, r.commune_id, year - r.age, r.gender): r.count
            for r in PopulationCount.objects.filter(school_year=year)}


def expected(truth, year: int) -> dict:
    return {k: n for k, n in truth.counts.items() if 3 <= year - k[2] <= 17}


@pytest.mark.django_db
def test_each_year_is_stored_as_the_registry_counts_it(registry, population_file):
    truth, path = population_file
    answer = population_fetch(school_years=[YEARS[0] - 1, *range(YEARS[0], YEARS[1] + 1)])
    assert set(answer) == {2023, 2024, 2025}  # 2022: the registry has no statistics for it
    for year in answer:
        assert stored(year) == expected(truth, year) and answer[year] == len(expected(truth, year))
    assert not PopulationCount.objects.filter(school_year=YEARS[0] - 1).exists()
    # Asked again after the registry's figures changed: the year's rows are replaced, none left behind.
    smaller = population_make(Counter({("01", next(iter(truth.counts))[1], 2016, "F"): 4}), seed=3,
                              first_year=2024, last_year=2024)
    population_write(smaller, path)
    population_fetch(school_years=[2024])
    assert stored(2024) == expected(smaller, 2024)
    assert stored(2023) == expected(truth, 2023)  # a year the registry no longer has stays as it was


@pytest.mark.django_db(transaction=True)
def test_the_task_enqueued_by_name_waits_for_a_registry_that_is_down(registry, population_file):
    truth, _path = population_file
    registry.put("/admin/behaviour", json={"down": True}).raise_for_status()
    with thread_worker():
        enqueue("verification.population_fetch", [2024])
        wait_until(lambda: registry.get("/admin/stats").json().get("token_requests", 0) >= 2,
                   timeout=30, message="the task to try the registry while it is down")
        assert not PopulationCount.objects.exists()
        registry.put("/admin/behaviour", json={"down": False}).raise_for_status()
        wait_until(lambda: PopulationCount.objects.filter(school_year=2024).exists(), timeout=60,
                   message="the retried task to store the figures")
    assert stored(2024) == expected(truth, 2024)
