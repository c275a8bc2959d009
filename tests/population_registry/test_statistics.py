"""The mock registry's population statistics (issue 17), in process: authenticated like every v1
endpoint, the counts of the file seed_demo writes by age, a province at a time, and nothing personal."""
import warnings
from collections import Counter

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from demo_population.population import Population, population_make, population_write
from population_registry.app import create_app
from population_registry.config import Behaviour, Config

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SEEDED = Counter({("01", "00004", 2015, "F"): 40, ("01", "00004", 2015, "M"): 37, ("01", "00008", 2010, "F"): 12,
                  ("79", "26734", 2015, "M"): 55, ("79", "26734", 2008, "F"): 20, ("79", "26734", 2020, "M"): 9,
                  ("79", "26734", 1990, "M"): 500})  # an adult: outside the ages, never written


@pytest.fixture
def population(tmp_path) -> tuple[Population, object]:
    truth = population_make(SEEDED, seed=7, first_year=2023, last_year=2025)
    path = tmp_path / "population.csv.gz"
    population_write(truth, path)
    return truth, path


@pytest.fixture
def api(population):
    config = Config(client_secret="s3cret", admin_key="adm", token_ttl_s=60, population_file=population[1],
                    behaviour=Behaviour(latency_ms=0, rate_limit_per_s=0))
    with TestClient(create_app(config)) as client:
        yield client


def auth(api) -> dict:
    answer = api.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": "edu-portal",
                                             "client_secret": "s3cret"})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_only_an_authenticated_client_gets_statistics(api):
    assert api.get("/v1/statistics/population", params={"school_year": 2024}).status_code == 401
    assert api.get("/v1/statistics/population", params={"school_year": 2024},
                   headers={"Authorization": "Bearer forged"}).status_code == 401
    assert api.get("/v1/statistics/population", params={"school_year": 2024}, headers=auth(api)).status_code == 200


def test_the_counts_are_the_files_by_age_with_nothing_personal(api, population):
    truth, _path = population
    headers = auth(api)
    for year in (2023, 2024, 2025):
        rows = api.get("/v1/statistics/population", params={"school_year": year}, headers=headers).json()["rows"]
        assert all(set(r) == {"province", "commune", "age", "gender", "count"} for r in rows)
        served = {(r["province"], r["commune"], year - r["age"], r["gender"]): r["count"] for r in rows}
        want = {k: n for k, n in truth.counts.items() if 3 <= year - k[2] <= 17}
        assert served == want
        # Every seeded child is in it, with the never-enrolled beside them.
        assert all(served[k] >= SEEDED[k] for k in served)
    assert 1990 not in {k[2] for k in truth.counts}
    # The cohort born in 2008 is 15 in 2023, 17 in 2025: the same children each year.
    ages = {r["age"]: r["count"] for r in api.get("/v1/statistics/population", params={"school_year": 2025},
                                                  headers=headers).json()["rows"] if r["commune"] == "26734"
            and r["gender"] == "F"}
    assert ages == {17: truth.counts[("79", "26734", 2008, "F")]}


def test_a_province_gets_its_own_communes_and_bad_parameters_are_named(api):
    headers = auth(api)
    rows = api.get("/v1/statistics/population", params={"school_year": 2024, "province": "01"},
                   headers=headers).json()["rows"]
    assert rows and {r["province"] for r in rows} == {"01"} and {r["commune"] for r in rows} == {"00004", "00008"}
    bad = api.get("/v1/statistics/population", params={"school_year": "24", "province": "1"}, headers=headers)
    assert bad.status_code == 422 and set(bad.json()["error"]["details"]) == {"school_year", "province"}
    none = api.get("/v1/statistics/population", params={"school_year": 2019}, headers=headers)
    assert none.status_code == 404 and none.json()["error"]["code"] == "no_statistics"


def test_a_new_file_is_served_without_a_restart_and_no_file_is_no_statistics(api, population):
    truth, path = population
    headers = auth(api)
    assert api.get("/v1/statistics/population", params={"school_year": 2024}, headers=headers).status_code == 200
    population_write(population_make(Counter({("01", "00004", 2016, "M"): 3}), seed=7, first_year=2024,
                                     last_year=2026), path)
    rows = api.get("/v1/statistics/population", params={"school_year": 2026}, headers=headers).json()["rows"]
    assert [(r["commune"], r["age"], r["gender"]) for r in rows] == [("00004", 10, "M")] and rows[0]["count"] >= 3
    path.unlink()
    assert api.get("/v1/statistics/population", params={"school_year": 2024}, headers=headers).status_code == 404


def test_the_never_enrolled_share_rises_after_primary_age():
    big = Counter({("01", "00004", born, sex): 10_000 for born in range(2008, 2023) for sex in "FM"})
    truth = population_make(big, seed=1, first_year=2025, last_year=2025)

    def share(age):
        n = truth.counts[("01", "00004", 2025 - age, "F")]
        return (n - 10_000) / n

    assert 0.07 < share(4) < 0.13 and 0.009 < share(8) < 0.021 and 0.049 < share(12) < 0.081
    assert 0.19 < share(16) < 0.31
    remote = population_make(Counter({("04", "01234", 2017, "F"): 10_000}), seed=1, first_year=2025, last_year=2025)
    assert remote.counts[("04", "01234", 2017, "F")] - 10_000 > 10_000 * 0.0149
    assert population_make(big, seed=1, first_year=2025, last_year=2025) == truth  # the seed decides
