"""Per-token rate limits in Redis: one fixed-window counter per token, one round trip per request.

DRF's SimpleRateThrottle keeps the list of every request time in the cache and rewrites it on
each request, which costs more than the statistics endpoints themselves at high rates.
"""
from __future__ import annotations

import time
from functools import lru_cache

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

DEFAULT_RATE = "600/minute"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """'600/minute' -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0]]


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def redis_client() -> redis.Redis:
    location = settings.CACHES["default"]["LOCATION"]
    return _client(location if isinstance(location, str) else location[0])


class TokenRateThrottle(BaseThrottle):
    """Limits each API token (or, for browser sessions, each user) to API_THROTTLE_RATE."""

    def allow_request(self, request, view):
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "key_hash"):
            # The hash, not the row id: ids repeat across test databases sharing one Redis.
            ident = f"t:{token.key_hash[:20]}"
        elif request.user and request.user.is_authenticated:
            ident = f"u:{request.user.pk}"
        else:
            return True  # unauthenticated requests are refused before they cost anything
        limit, period = parse_rate(getattr(settings, "API_THROTTLE_RATE", DEFAULT_RATE))
        now = time.time()
        window = int(now // period)
        key = f"api:throttle:{ident}:{period}:{window}"
        try:
            pipe = redis_client().pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, period + 1)
            count = pipe.execute()[0]
        except redis.RedisError:
            return True  # a Redis outage must not take the API down with it
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self):
        return max(1, int(self._wait + 0.999))
