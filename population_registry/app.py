"""The mock registry's HTTP API (Starlette). Documented in openapi.yaml next to this file."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hmac
import math
import random
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from demo_population.truth import citizen_for
from edu_portal.common.identity import canonical_name

from .config import Config
from .statistics import PopulationSource, covers

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")
IDENTITY_FIELDS = ("full_name", "date_of_birth", "gender")


def normalize_name(value: str) -> str:
    """Names are compared as the national database compares them: in one canonical form (NFC, single
    spaces, one tone-mark placement: "Thuý" is "Thúy"), ignoring case."""
    return canonical_name(value).casefold()


def error(status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}},
                        status_code=status, headers=headers)


@dataclass
class Bucket:
    tokens: float
    updated: float


@dataclass
class State:
    config: Config
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (client, expiry)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    # Enrichment store: (id_number, school_year) -> the last education data received.
    education: dict[tuple[str, int], dict] = field(default_factory=dict)
    stats: Counter = field(default_factory=Counter)
    in_flight: int = 0
    population: PopulationSource | None = None


def create_app(config: Config | None = None) -> Starlette:
    config = config or Config.from_env()
    state = State(config=config, population=PopulationSource(config.population_file))
    behaviour = config.behaviour

    # --- gateway behaviour ------------------------------------------------------------------

    def take_token(client: str) -> float:
        """Token bucket per client; returns 0 when allowed, else seconds until a token is free."""
        rate, burst = behaviour.rate_limit_per_s, max(1, behaviour.rate_limit_burst)
        if rate <= 0:
            return 0.0
        now = time.monotonic()
        bucket = state.buckets.setdefault(client, Bucket(tokens=burst, updated=now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate

    def authenticate(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        entry = state.tokens.get(header[7:].strip())
        if not entry or entry[1] < time.time():
            return None
        return entry[0]

    async def gateway(request: Request, endpoint: str):
        """What every protected call goes through: down switch, auth, rate limit, faults, latency.

        Returns (client, None) to proceed or (None, response) to answer at once.
        """
        state.stats[f"{endpoint}_requests"] += 1
        if behaviour.down:
            state.stats["down_rejections"] += 1
            return None, error(503, "unavailable", "Hệ thống đang bảo trì.")
        client = authenticate(request)
        if client is None:
            state.stats["unauthorized"] += 1
            return None, error(401, "unauthorized", "Thiếu hoặc sai access token.",
                               headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        wait = take_token(client)
        if wait:
            state.stats["rate_limited"] += 1
            return None, error(429, "rate_limited", "Vượt hạn mức truy vấn.",
                               headers={"Retry-After": str(max(1, math.ceil(wait)))})
        roll = random.random()
        if roll < behaviour.timeout_rate:
            state.stats["timeouts"] += 1
            await asyncio.sleep(behaviour.timeout_hang_s)
            return None, error(504, "gateway_timeout", "Hết thời gian chờ.")
        if roll < behaviour.timeout_rate + behaviour.error_rate:
            state.stats["server_errors"] += 1
            await asyncio.sleep(behaviour.latency_ms / 2000)
            return None, error(random.choice((500, 502, 503)), "server_error", "Lỗi máy chủ.")
        await asyncio.sleep(behaviour.latency_ms / 1000)
        return client, None

    # --- endpoints ----------------------------------------------------------------------------

    async def token(request: Request) -> Response:
        """OAuth2 client credentials (RFC 6749 §4.4): form fields or HTTP Basic."""
        state.stats["token_requests"] += 1
        if behaviour.down:
            return error(503, "unavailable", "Hệ thống đang bảo trì.")
        # application/x-www-form-urlencoded, parsed here so the mock needs no multipart library.
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                client_id = client_secret = None
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if client_id != config.client_id or not client_secret or \
                not hmac.compare_digest(str(client_secret), config.client_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        access_token = secrets.token_urlsafe(32)
        state.tokens[access_token] = (client_id, time.time() + config.token_ttl_s)
        # Forget expired tokens now and then so the dict does not grow without bound.
        if len(state.tokens) > 1000:
            now = time.time()
            for key in [k for k, (_, exp) in state.tokens.items() if exp < now]:
                del state.tokens[key]
        return JSONResponse({"access_token": access_token, "token_type": "Bearer",
                             "expires_in": config.token_ttl_s})

    def parse_batch(body) -> tuple[list | None, Response | None]:
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not records:
            return None, error(422, "invalid", "Trường 'records' phải là một danh sách không rỗng.")
        if len(records) > config.max_batch:
            return None, error(413, "batch_too_large", f"Tối đa {config.max_batch} bản ghi mỗi yêu cầu.",
                               {"max_batch": config.max_batch})
        return records, None

    async def verify(request: Request) -> Response:
        state.in_flight += 1  # counted from arrival: tests act while a call is being answered
        try:
            client, refusal = await gateway(request, "verify")
            if refusal:
                return refusal
            try:
                body = await request.json()
            except ValueError:
                return error(400, "invalid_json", "Nội dung không phải JSON.")
            records, refusal = parse_batch(body)
            if refusal:
                return refusal
            results, problems = [], {}
            for index, record in enumerate(records):
                outcome = verify_one(record)
                if isinstance(outcome, str):
                    problems[str(index)] = outcome
                    continue
                results.append({"index": index, **outcome})
            if problems:
                return error(422, "invalid", "Bản ghi không hợp lệ.", problems)
            state.stats["verify_records"] += len(results)
            state.stats.update(r["result"] for r in results)
            return JSONResponse({"request_id": str(uuid.uuid4()), "results": results})
        finally:
            state.in_flight -= 1

    def verify_one(record) -> dict | str:
        """MATCH / MISMATCH (naming the fields) / NOT_FOUND; no personal data is returned."""
        if not isinstance(record, dict):
            return "not an object"
        id_number = record.get("id_number")
        if not isinstance(id_number, str):
            return "id_number is required"
        try:
            date_of_birth = dt.date.fromisoformat(str(record.get("date_of_birth")))
        except ValueError:
            return "date_of_birth must be YYYY-MM-DD"
        answer = {"id_number": id_number}
        if "ref" in record:
            answer["ref"] = record["ref"]
        citizen = citizen_for(id_number, config.seed)
        if citizen is None:
            return {**answer, "result": "NOT_FOUND", "mismatched_fields": []}
        differing = []
        if normalize_name(str(record.get("full_name", ""))) != normalize_name(citizen.full_name):
            differing.append("full_name")
        if date_of_birth != citizen.date_of_birth:
            differing.append("date_of_birth")
        if record.get("gender") != citizen.gender:
            differing.append("gender")
        return {**answer, "result": "MISMATCH" if differing else "MATCH", "mismatched_fields": differing}

    async def education(request: Request) -> Response:
        """Enrichment: education data of citizens, stored once per (citizen, school year)."""
        client, refusal = await gateway(request, "education")
        if refusal:
            return refusal
        try:
            body = await request.json()
        except ValueError:
            return error(400, "invalid_json", "Nội dung không phải JSON.")
        records, refusal = parse_batch(body)
        if refusal:
            return refusal
        created = updated = 0
        rejected = []
        for index, record in enumerate(records):
            if not isinstance(record, dict) or not isinstance(record.get("id_number"), str) \
                    or not isinstance(record.get("school_year"), int):
                rejected.append({"index": index, "reason": "invalid"})
                continue
            if citizen_for(record["id_number"], config.seed) is None:
                rejected.append({"index": index, "reason": "NOT_FOUND"})
                continue
            key = (record["id_number"], record["school_year"])
            if key in state.education:
                updated += state.education[key] != record
            else:
                created += 1
            state.education[key] = record
        state.stats["education_records"] += created
        return JSONResponse({"request_id": str(uuid.uuid4()), "created": created, "updated": updated,
                             "rejected": rejected})

    async def population(request: Request) -> Response:
        """Children by commune, single age (by year of birth) and gender in a school year: aggregated
        counts only, no person. The denominators of the portal's enrolment ratios."""
        client, refusal = await gateway(request, "population")
        if refusal:
            return refusal
        year, province = request.query_params.get("school_year", ""), request.query_params.get("province")
        problems = {}
        if not (year.isdigit() and len(year) == 4):
            problems["school_year"] = "a school year, e.g. 2025 for 2025-2026"
        if province is not None and not (province.isdigit() and len(province) == 2):
            problems["province"] = "a two-digit province code"
        if problems:
            return error(422, "invalid", "Tham số không hợp lệ.", problems)
        truth = state.population.current()
        if truth is None or not covers(truth, int(year)):
            return error(404, "no_statistics", "Chưa có số liệu thống kê dân số của năm học này.",
                         {"school_year": int(year)})
        rows = truth.rows_for(int(year), province)
        state.stats["population_rows"] += len(rows)
        return JSONResponse({"request_id": str(uuid.uuid4()), "school_year": int(year), "province": province,
                             "ages": "by year of birth: school_year - birth year", "rows": rows})

    def admin_ok(request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("x-admin-key", ""), config.admin_key)

    async def admin_behaviour(request: Request) -> Response:
        if not admin_ok(request):
            return error(403, "forbidden", "Sai khóa quản trị.")
        if request.method in ("PUT", "PATCH", "POST"):
            try:
                changes = await request.json()
                unknown = behaviour.update(changes)
            except (ValueError, TypeError) as exc:
                return error(422, "invalid", str(exc))
            if unknown:
                return error(422, "invalid", "Unknown fields.", {"unknown": unknown})
        return JSONResponse(behaviour.as_dict())

    async def admin_stats(request: Request) -> Response:
        if not admin_ok(request):
            return error(403, "forbidden", "Sai khóa quản trị.")
        return JSONResponse({**state.stats, "in_flight": state.in_flight,
                             "education_stored": len(state.education)})

    async def admin_reset(request: Request) -> Response:
        """Back to the behaviour read from the environment, with counters and buckets cleared."""
        if not admin_ok(request):
            return error(403, "forbidden", "Sai khóa quản trị.")
        behaviour.update(type(behaviour).from_env().as_dict())
        state.stats.clear()
        state.buckets.clear()
        if request.query_params.get("education") == "1":
            state.education.clear()
        return JSONResponse(behaviour.as_dict())

    async def education_lookup(request: Request) -> Response:
        """For operators and tests: what was stored for one citizen (admin only)."""
        if not admin_ok(request):
            return error(403, "forbidden", "Sai khóa quản trị.")
        id_number = request.path_params["id_number"]
        years = {str(year): data for (number, year), data in state.education.items() if number == id_number}
        return JSONResponse({"id_number": id_number, "school_years": years})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "down" if behaviour.down else "ok"})

    async def openapi(request: Request) -> Response:
        return PlainTextResponse(OPENAPI_PATH.read_text(encoding="utf-8"), media_type="application/yaml")

    app = Starlette(routes=[
        Route("/oauth2/token", token, methods=["POST"]),
        Route("/v1/citizens/verify", verify, methods=["POST"]),
        Route("/v1/citizens/education", education, methods=["POST"]),
        Route("/v1/statistics/population", population, methods=["GET"]),
        Route("/admin/behaviour", admin_behaviour, methods=["GET", "PUT", "PATCH"]),
        Route("/admin/stats", admin_stats, methods=["GET"]),
        Route("/admin/reset", admin_reset, methods=["POST"]),
        Route("/admin/education/{id_number}", education_lookup, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.yaml", openapi, methods=["GET"]),
    ])
    app.state.registry = state
    return app
