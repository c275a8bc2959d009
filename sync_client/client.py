"""One HTTP conversation with the portal, as the contract describes it.

- Every request carries `Authorization: Token <token>`.
- Every error is JSON `{"error": {"code", "message", "details"}}`: `ApiError` keeps the status and those three,
  so the command line can say what the server said ("snapshot: Ảnh chụp đã hết hạn ...").
- 429 (too many requests) and 5xx (the server or a proxy in trouble) are tried again: after `Retry-After`
  seconds when the server sends it, else after 1, 2, 4 ... s (capped, with jitter so that a fleet of clients
  does not come back in step). Errors the client must fix (400, 401, 403, 404, 409) are not retried.
- Lists are keyset pages: `{"next": <url or null>, "results": [...]}`; follow `next` exactly as given (it
  carries the cursor), never build a cursor yourself.
"""
from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

USER_AGENT = "edu-portal-sync-client/1.0"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiError(Exception):
    """The server refused: `status`, and the `code`, `message` and `details` of its `{"error": ...}` body (or
    of whatever it sent instead, so a misbehaving proxy's HTML page is reported, not hidden)."""

    def __init__(self, status: int, code: str, message: str, details=None, *, url: str = ""):
        self.status, self.code, self.message, self.details, self.url = status, code, message, details or {}, url
        super().__init__(f"HTTP {status} {code}: {message}" + (f" ({url})" if url else ""))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Client:
    base_url: str  # e.g. http://127.0.0.1:8000 (the API lives under /api/v1/)
    token: str | None
    timeout: float = 60
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    log: list[str] = field(default_factory=list)  # retries and waits, for `status` and tests

    def url(self, path: str, params: dict | None = None) -> str:
        """`path` under /api/v1/ ("students/deleted/"), or a full URL (a `next` link) used as it is."""
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = urllib.parse.urljoin(self.base_url.rstrip("/") + "/api/v1/", path.lstrip("/"))
        if params:
            clean = {k: v for k, v in params.items() if v is not None}
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(clean)
        return url

    def request(self, method: str, path: str, *, params: dict | None = None, body: bytes | None = None,
                content_type: str | None = None, headers: dict | None = None, retry: bool = True) -> Response:
        """One request, tried again on 429/5xx and on a dropped connection. Raises ApiError on any other 4xx
        or when the attempts run out; returns the Response for 2xx (and 3xx, which the API never sends)."""
        url = self.url(path, params)
        sent = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        if self.token is not None:
            sent["Authorization"] = f"Token {self.token}"
        if content_type:
            sent["Content-Type"] = content_type
        attempts = self.max_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                answer = self._send(method, url, body, sent)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if attempt == attempts:
                    raise ApiError(0, "connection_failed", str(exc), url=url) from exc
                self._wait(attempt, None, f"{method} {url}: {exc}")
                continue
            if answer.status < 400:
                return answer
            if answer.status in RETRY_STATUSES and attempt < attempts:
                self._wait(attempt, answer.headers.get("retry-after"), f"{method} {url}: HTTP {answer.status}")
                continue
            raise error_from(answer, url)
        raise AssertionError("unreachable")

    def _send(self, method: str, url: str, body: bytes | None, headers: dict) -> Response:
        req = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as raw:  # noqa: S310 - the portal's own URL
                return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, raw.read())
        except urllib.error.HTTPError as exc:  # 4xx/5xx: an answer, not a failure to talk
            with exc:
                return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def _wait(self, attempt: int, retry_after: str | None, why: str) -> None:
        seconds = retry_after_seconds(retry_after)
        if seconds is None:  # exponential backoff with "full jitter"
            seconds = random.uniform(0.5, 1.0) * min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        self.log.append(f"retry {attempt} in {seconds:.1f}s: {why}")
        time.sleep(min(seconds, self.backoff_max))

    # --- JSON helpers -------------------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None):
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, data: dict | None = None, headers: dict | None = None) -> Response:
        return self.request("POST", path, body=json.dumps(data or {}).encode(), content_type="application/json",
                            headers=headers)

    def pages(self, path: str, params: dict | None = None) -> Iterator[list[dict]]:
        """Each page's `results`, following `next` to the end."""
        url, query = path, params
        while url:
            page = self.get(url, query)
            yield page["results"]
            url, query = page.get("next"), None  # `next` holds the whole query, cursor included

    def all(self, path: str, params: dict | None = None) -> list[dict]:
        return [row for page in self.pages(path, params) for row in page]


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After: 30` (seconds; the portal sends this form). An HTTP date is also allowed by RFC 9110."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def error_from(answer: Response, url: str) -> ApiError:
    try:
        error = answer.json()["error"]
        return ApiError(answer.status, error.get("code", "error"), error.get("message", ""), error.get("details"),
                        url=url)
    except (ValueError, KeyError, TypeError):
        text = answer.body[:200].decode("utf-8", "replace")
        return ApiError(answer.status, "unexpected_answer", f"not the API's error shape: {text!r}", url=url)
