"""Protections shared by every worker on every machine, kept in Redis: a global rate limit and a
circuit breaker in front of the population registry.
"""
from __future__ import annotations

import functools
import time

import redis
from django.conf import settings

PREFIX = "verification:"
LIMITER_KEY = PREFIX + "ratelimit"
BREAKER_OPEN = PREFIX + "breaker:open"        # exists while the breaker is open (TTL = cool-down)
BREAKER_TRIPPED = PREFIX + "breaker:tripped"  # set when it opened; cleared by the first success
BREAKER_PROBE = PREFIX + "breaker:probe"      # the one worker allowed to try while half-open
BREAKER_FAILURES = PREFIX + "breaker:failures"


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def redis_client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


# Generic cell rate algorithm (GCRA) on the Redis clock, so that machines with different clocks
# share one budget. Returns 0 when the call may go now, else the milliseconds to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return wait end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, new_tat - now + tolerance))
return 0
"""


class RateLimiter:
    """At most `rate` calls per second across all workers, with a burst of `burst` calls."""

    def __init__(self, *, rate: float, burst: int = 1, key: str = LIMITER_KEY) -> None:
        self.interval_ms = max(1, int(1000 / rate)) if rate > 0 else 0
        self.tolerance_ms = self.interval_ms * max(0, burst - 1)
        self.key = key

    def reserve(self) -> float:
        """Take a slot if one is free now; otherwise return the seconds until one will be."""
        if not self.interval_ms:
            return 0.0
        client = redis_client()
        wait_ms = client.eval(_GCRA, 1, self.key, self.interval_ms, self.tolerance_ms)
        return int(wait_ms) / 1000

    def acquire(self, *, max_wait: float) -> float:
        """Block until a slot is taken, unless that means waiting more than `max_wait` seconds:
        then return the wait (the caller retries later instead of holding a worker)."""
        while True:
            wait = self.reserve()
            if wait == 0:
                return 0.0
            if wait > max_wait:
                return wait
            time.sleep(wait)


def rate_limiter() -> RateLimiter:
    rate = settings.VERIFICATION_RATE_LIMIT
    return RateLimiter(rate=rate, burst=max(1, int(rate // 4)))


class CircuitBreaker:
    """Closed -> (threshold failures in a row) -> open for `cooldown` s -> half-open: one probe call;
    its success closes the breaker, its failure opens it again. State in Redis, so that all workers
    stop calling a registry that is down, and resume on their own when it is back."""

    def __init__(self, *, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown_ms = max(1, int(cooldown * 1000))

    def before_call(self) -> float:
        """0 when a call may be made; else the seconds until the breaker lets a call through."""
        client = redis_client()
        remaining = client.pttl(BREAKER_OPEN)
        if remaining and remaining > 0:
            return remaining / 1000
        if client.exists(BREAKER_TRIPPED):
            # Half-open: one worker probes; the others wait for its verdict.
            if client.set(BREAKER_PROBE, "1", nx=True, px=self.cooldown_ms):
                return 0.0
            return max(0.05, (client.pttl(BREAKER_PROBE) or 0) / 1000)
        return 0.0

    def record_success(self) -> None:
        client = redis_client()
        if client.exists(BREAKER_TRIPPED) or client.exists(BREAKER_FAILURES):
            client.delete(BREAKER_TRIPPED, BREAKER_PROBE, BREAKER_FAILURES)

    def record_failure(self) -> None:
        client = redis_client()
        if client.exists(BREAKER_TRIPPED):
            self._open(client)
            return
        failures = client.incr(BREAKER_FAILURES)
        client.pexpire(BREAKER_FAILURES, self.cooldown_ms * 10)
        if failures >= self.threshold:
            self._open(client)

    def _open(self, client) -> None:
        pipe = client.pipeline()
        pipe.set(BREAKER_OPEN, "1", px=self.cooldown_ms)
        pipe.set(BREAKER_TRIPPED, "1")
        pipe.delete(BREAKER_PROBE, BREAKER_FAILURES)
        pipe.execute()

    def state(self) -> str:
        client = redis_client()
        if client.exists(BREAKER_OPEN):
            return "open"
        return "half_open" if client.exists(BREAKER_TRIPPED) else "closed"


def circuit_breaker() -> CircuitBreaker:
    return CircuitBreaker(threshold=settings.VERIFICATION_BREAKER_THRESHOLD,
                          cooldown=settings.VERIFICATION_BREAKER_COOLDOWN)
