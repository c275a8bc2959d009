"""The mock registry's HTTP API, in process (Starlette's test client), without the portal."""
import time
import unicodedata
import warnings

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from starlette.exceptions import StarletteDeprecationWarning

from demo_population.truth import citizen_for, id_number_for
from population_registry.app import create_app
from population_registry.config import Behaviour, Config

with warnings.catch_warnings():
    # Starlette 1.x suggests the httpx2 package for its test client; httpx is what we have.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SEED = 2026


def identities(n, *, start=0, known=True):
    out = []
    serial = start
    while len(out) < n:
        number = id_number_for(legacy_province_code="079", year_of_birth=2012, gender="M", serial=serial)
        serial += 1
        citizen = citizen_for(number, SEED)
        if known and citizen:
            out.append({"id_number": number, "full_name": citizen.full_name,
                        "date_of_birth": citizen.date_of_birth.isoformat(), "gender": citizen.gender})
        elif not known and citizen is None:
            out.append({"id_number": number, "full_name": "Ai Đó", "date_of_birth": "2012-01-01", "gender": "M"})
    return out


@pytest.fixture
def config():
    return Config(client_secret="s3cret", admin_key="adm", token_ttl_s=60, seed=SEED,
                  behaviour=Behaviour(latency_ms=0, rate_limit_per_s=0))


@pytest.fixture
def api(config):
    with TestClient(create_app(config)) as client:
        yield client


def token(api, secret="s3cret"):
    return api.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": "edu-portal",
                                           "client_secret": secret})


def auth(api):
    return {"Authorization": f"Bearer {token(api).json()['access_token']}"}


def test_client_credentials_give_an_expiring_bearer_token(api):
    response = token(api)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 60
    assert token(api, secret="wrong").status_code == 401
    assert api.post("/oauth2/token", data={"grant_type": "password"}).status_code == 400


def test_basic_auth_is_accepted_for_the_client(api):
    response = api.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=("edu-portal", "s3cret"))
    assert response.status_code == 200


def test_no_or_expired_token_is_401(api, config):
    records = identities(1)
    assert api.post("/v1/citizens/verify", json={"records": records}).status_code == 401
    config.token_ttl_s = -1  # tokens born expired
    response = api.post("/v1/citizens/verify", json={"records": records}, headers=auth(api))
    assert response.status_code == 401


def test_verify_answers_match_mismatch_not_found_without_personal_data(api):
    records = identities(2) + identities(1, known=False)
    records[1] = {**records[1], "full_name": "Tên Khác", "date_of_birth": "2012-12-31"}
    response = api.post("/v1/citizens/verify", json={"records": records}, headers=auth(api))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["MATCH", "MISMATCH", "NOT_FOUND"]
    assert results[1]["mismatched_fields"] == ["full_name", "date_of_birth"]
    # Only what was sent comes back: no name, no date from the registry's record.
    assert set(results[1]) == {"index", "id_number", "result", "mismatched_fields"}
    assert response.json()["request_id"]


@given(spaces=st.sampled_from([" ", "  ", "\t", " \u00a0"]), form=st.sampled_from(["NFC", "NFD"]),
       upper=st.booleans())
def test_names_match_in_nfd_and_with_extra_whitespace(spaces, form, upper):
    with TestClient(create_app(Config(client_secret="s", seed=SEED, behaviour=Behaviour(latency_ms=0)))) as api:
        record = identities(1)[0]
        name = unicodedata.normalize(form, record["full_name"]).replace(" ", spaces)
        record["full_name"] = f" {name.upper() if upper else name} "
        headers = {"Authorization": "Bearer " + token(api, "s").json()["access_token"]}
        result = api.post("/v1/citizens/verify", json={"records": [record]}, headers=headers).json()["results"][0]
        assert result["result"] == "MATCH"


def test_batches_over_1000_are_refused(api):
    records = identities(1) * 1001
    response = api.post("/v1/citizens/verify", json={"records": records}, headers=auth(api))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"


def test_malformed_records_are_422(api):
    response = api.post("/v1/citizens/verify", json={"records": [{"id_number": "1"}]}, headers=auth(api))
    assert response.status_code == 422


def test_rate_limit_answers_429_with_retry_after(api):
    headers = auth(api)
    api.put("/admin/behaviour", json={"rate_limit_per_s": 0.5, "rate_limit_burst": 2}, headers={"X-Admin-Key": "adm"})
    records = identities(1)
    codes = [api.post("/v1/citizens/verify", json={"records": records}, headers=headers).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    response = api.post("/v1/citizens/verify", json={"records": records}, headers=headers)
    assert int(response.headers["Retry-After"]) >= 1


def test_down_switch_and_error_share(api):
    headers = auth(api)
    admin = {"X-Admin-Key": "adm"}
    records = identities(1)
    api.put("/admin/behaviour", json={"down": True}, headers=admin)
    assert api.post("/v1/citizens/verify", json={"records": records}, headers=headers).status_code == 503
    assert token(api).status_code == 503
    assert api.get("/healthz").json()["status"] == "down"
    api.put("/admin/behaviour", json={"down": False, "error_rate": 1.0}, headers=admin)
    assert api.post("/v1/citizens/verify", json={"records": records}, headers=headers).status_code in (500, 502, 503)
    stats = api.get("/admin/stats", headers=admin).json()
    assert stats["down_rejections"] == 1 and stats["server_errors"] == 1


def test_timeouts_hang_then_504(api):
    api.put("/admin/behaviour", json={"timeout_rate": 1.0, "timeout_hang_s": 0.2}, headers={"X-Admin-Key": "adm"})
    started = time.monotonic()
    response = api.post("/v1/citizens/verify", json={"records": identities(1)}, headers=auth(api))
    assert response.status_code == 504
    assert time.monotonic() - started >= 0.2


def test_admin_needs_the_key_and_rejects_unknown_fields(api):
    assert api.get("/admin/behaviour").status_code == 403
    assert api.put("/admin/behaviour", json={"latency": 1}, headers={"X-Admin-Key": "adm"}).status_code == 422


def test_enrichment_is_idempotent_per_citizen_and_school_year(api):
    headers = auth(api)
    person = identities(1)[0]
    unknown = identities(1, known=False)[0]
    record = {"id_number": person["id_number"], "school_year": 2026, "school_code": "79000001", "grade": 9}
    batch = {"records": [record, {"id_number": unknown["id_number"], "school_year": 2026}]}
    first = api.post("/v1/citizens/education", json=batch, headers=headers).json()
    again = api.post("/v1/citizens/education", json=batch, headers=headers).json()
    changed = api.post("/v1/citizens/education", json={"records": [{**record, "grade": 10}]}, headers=headers).json()
    next_year = api.post("/v1/citizens/education", json={"records": [{**record, "school_year": 2027}]},
                         headers=headers).json()
    assert (first["created"], first["rejected"]) == (1, [{"index": 1, "reason": "NOT_FOUND"}])
    assert (again["created"], again["updated"]) == (0, 0)
    assert (changed["created"], changed["updated"]) == (0, 1)
    assert next_year["created"] == 1
    stored = api.get(f"/admin/education/{person['id_number']}", headers={"X-Admin-Key": "adm"}).json()
    assert stored["school_years"]["2026"]["grade"] == 10


def test_openapi_document_is_served_and_lists_every_route(api):
    document = yaml.safe_load(api.get("/openapi.yaml").text)
    routes = {route.path for route in api.app.routes}
    assert routes == set(document["paths"])


def test_config_from_environment(monkeypatch):
    monkeypatch.setenv("POPULATION_REGISTRY_PORT", "8123")
    monkeypatch.setenv("POPULATION_API_CLIENT_SECRET", "from-portal-var")
    monkeypatch.setenv("POPULATION_REGISTRY_LATENCY_MS", "5")
    monkeypatch.setenv("POPULATION_REGISTRY_DOWN", "true")
    config = Config.from_env()
    assert (config.port, config.client_secret, config.behaviour.latency_ms, config.behaviour.down) == \
        (8123, "from-portal-var", 5.0, True)


@pytest.mark.parametrize("placement", ["Thuỷ", "Thủy", "THUỶ"])
def test_either_tone_placement_of_a_name_matches(placement):
    # The national database holds "Thủy"; a school that typed "Thuỷ" (kiểu mới) typed the same name.
    with TestClient(create_app(Config(client_secret="s", seed=SEED, behaviour=Behaviour(latency_ms=0)))) as api:
        serial = 0
        while True:
            number = id_number_for(legacy_province_code="001", year_of_birth=2014, gender="F", serial=serial)
            serial += 1
            citizen = citizen_for(number, SEED)
            if citizen and citizen.full_name.endswith(" Thủy"):
                break
        record = {"id_number": number, "full_name": citizen.full_name.removesuffix("Thủy") + placement,
                  "date_of_birth": citizen.date_of_birth.isoformat(), "gender": "F"}
        headers = {"Authorization": "Bearer " + token(api, "s").json()["access_token"]}
        result = api.post("/v1/citizens/verify", json={"records": [record]}, headers=headers).json()["results"][0]
        assert result["result"] == "MATCH"
