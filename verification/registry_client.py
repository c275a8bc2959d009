"""HTTP client of the national population registry: OAuth2 client credentials with the token
cached in Redis for all workers, the global rate limit and the circuit breaker on every call, and
failures sorted into "retry later" (transient) and "give up" (our request is wrong)."""
from __future__ import annotations

import logging

import httpx
from django.conf import settings

from .resilience import PREFIX, circuit_breaker, rate_limiter, redis_client

logger = logging.getLogger(__name__)
TOKEN_KEY = PREFIX + "token"
MAX_BATCH = 1000  # the registry refuses larger batches
# A worker waits for a rate-limit slot up to this long; beyond it the task is retried later.
MAX_LOCAL_WAIT = 5.0


class RegistryError(Exception):
    """Base class. `retry_after` (seconds) is a hint for when to try again."""

    counts_as_failure = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RegistryUnavailable(RegistryError):
    """5xx, timeout, connection refused, or the circuit breaker is open: try again later."""


class RegistryRateLimited(RegistryError):
    """429 from the registry, or our own global limit: wait, but this is not a failure."""

    counts_as_failure = False


class RegistryRejected(RegistryError):
    """The registry refused the request itself (4xx other than 401/429): retrying will not help."""


class RegistryNotFound(RegistryRejected):
    """404: the registry has nothing for what was asked (e.g. no statistics for a year)."""


_clients: dict[tuple[str, float], httpx.Client] = {}


def _http(base_url: str, timeout: float) -> httpx.Client:
    # One connection pool per worker process (created lazily, so after the prefork fork).
    key = (base_url, timeout)
    if key not in _clients:
        _clients[key] = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                                     limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
    return _clients[key]


def close_clients() -> None:
    """Close the pooled connections (at process exit; tests)."""
    while _clients:
        _clients.popitem()[1].close()


class RegistryClient:
    def __init__(self) -> None:
        self.http = _http(settings.POPULATION_API_URL, settings.POPULATION_API_TIMEOUT)
        self.limiter = rate_limiter()
        self.breaker = circuit_breaker()

    # --- public calls -----------------------------------------------------------------------

    def verify(self, records: list[dict]) -> dict:
        """records: [{id_number, full_name, date_of_birth (ISO), gender}] (at most 1,000).
        Returns {"request_id", "results": [{"index", "result", "mismatched_fields"}]}."""
        if len(records) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} records per call")
        return self._post("/v1/citizens/verify", {"records": records})

    def push_education(self, records: list[dict]) -> dict:
        return self._post("/v1/citizens/education", {"records": records})

    def population_statistics(self, *, school_year: int, province: str | None = None) -> dict | None:
        """Children by commune, age and gender in `school_year` ({"rows": [{province, commune, age,
        gender, count}]}), or None when the registry has no statistics for that year (404)."""
        params = {"school_year": school_year, **({"province": province} if province else {})}
        try:
            return self._call("GET", "/v1/statistics/population", params=params)
        except RegistryNotFound:
            return None

    # --- machinery ----------------------------------------------------------------------------

    def _post(self, path: str, payload: dict) -> dict:
        return self._call("POST", path, json=payload)

    def _call(self, method: str, path: str, **kwargs) -> dict:
        wait = self.breaker.before_call()
        if wait:
            raise RegistryUnavailable("Bộ ngắt mạch đang mở: CSDL dân cư không phản hồi.", retry_after=wait)
        wait = self.limiter.acquire(max_wait=MAX_LOCAL_WAIT)
        if wait:
            raise RegistryRateLimited("Hết hạn mức truy vấn chung.", retry_after=wait)
        for attempt in (1, 2):
            token = self._token()
            response = self._send(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)
            if response.status_code == 401 and attempt == 1:
                # The token expired or the registry restarted: fetch a new one once.
                redis_client().delete(TOKEN_KEY)
                continue
            return self._answer(response)
        raise RegistryRejected("Không xác thực được với CSDL dân cư (401).")

    def _send(self, path: str, method: str = "POST", **kwargs) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            self.breaker.record_failure()
            raise RegistryUnavailable(f"Hết thời gian chờ CSDL dân cư ({exc.__class__.__name__}).") from exc
        except httpx.TransportError as exc:
            self.breaker.record_failure()
            raise RegistryUnavailable(f"Không kết nối được CSDL dân cư ({exc.__class__.__name__}).") from exc

    def _answer(self, response: httpx.Response) -> dict:
        status = response.status_code
        if status == 429:
            raise RegistryRateLimited("CSDL dân cư báo vượt hạn mức (429).",
                                      retry_after=_retry_after(response) or 1.0)
        if status >= 500:
            self.breaker.record_failure()
            raise RegistryUnavailable(f"CSDL dân cư trả lỗi {status}.", retry_after=_retry_after(response))
        self.breaker.record_success()
        if status == 404:
            raise RegistryNotFound(f"CSDL dân cư không có dữ liệu được hỏi (404): {response.text[:300]}")
        if status >= 400:
            raise RegistryRejected(f"CSDL dân cư từ chối yêu cầu ({status}): {response.text[:300]}")
        return response.json()

    def _token(self) -> str:
        client = redis_client()
        cached = client.get(TOKEN_KEY)
        if cached:
            return cached.decode()
        response = self._send("/oauth2/token", data={
            "grant_type": "client_credentials",
            "client_id": settings.POPULATION_API_CLIENT_ID,
            "client_secret": settings.POPULATION_API_CLIENT_SECRET,
        })
        if response.status_code >= 500:
            self.breaker.record_failure()
            raise RegistryUnavailable(f"Không lấy được token ({response.status_code}).")
        if response.status_code != 200:
            raise RegistryRejected(f"CSDL dân cư từ chối thông tin đăng nhập ({response.status_code}).")
        body = response.json()
        # Refresh a little before it expires, so a token never dies in the middle of a call.
        ttl = max(1, int(body.get("expires_in", 300)) - 30)
        client.set(TOKEN_KEY, body["access_token"], ex=ttl)
        return body["access_token"]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
