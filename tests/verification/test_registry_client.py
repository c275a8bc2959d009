"""The registry client, the global rate limiter and the circuit breaker, on real Redis and the
mock registry over HTTP."""
import time

import pytest

from verification.registry_client import TOKEN_KEY, RegistryClient, RegistryRateLimited, RegistryUnavailable
from verification.resilience import CircuitBreaker, RateLimiter, redis_client

from .conftest import known_identity

pytestmark = pytest.mark.integration


def payload(n=1):
    out = []
    for _ in range(n):
        identity = known_identity()
        out.append({**identity, "date_of_birth": identity["date_of_birth"].isoformat()})
    return out


def test_token_is_fetched_once_and_shared(registry):
    client = RegistryClient()
    client.verify(payload())
    RegistryClient().verify(payload())  # another "worker"
    assert registry.stats()["token_requests"] == 1
    assert redis_client().ttl(TOKEN_KEY) > 3000  # expires_in 3600 minus a safety margin


def test_expired_or_revoked_token_is_replaced(registry):
    redis_client().set(TOKEN_KEY, "revoked-token", ex=60)
    answer = RegistryClient().verify(payload())
    assert answer["results"][0]["result"] == "MATCH"
    stats = registry.stats()
    assert stats["unauthorized"] == 1 and stats["token_requests"] == 1


def test_wrong_secret_is_refused(registry, settings):
    from verification.registry_client import RegistryRejected

    settings.POPULATION_API_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(RegistryRejected):
        RegistryClient().verify(payload())


def test_429_carries_retry_after(registry):
    registry.set(rate_limit_per_s=0.5, rate_limit_burst=1)
    client = RegistryClient()
    client.verify(payload())
    with pytest.raises(RegistryRateLimited) as exc:
        client.verify(payload())
    assert exc.value.retry_after >= 1
    assert not exc.value.counts_as_failure


def test_timeout_is_a_transient_failure(registry, settings):
    settings.POPULATION_API_TIMEOUT = 0.3
    registry.set(timeout_rate=1.0, timeout_hang_s=1.0)
    with pytest.raises(RegistryUnavailable):
        RegistryClient().verify(payload())


def test_rate_limiter_is_shared_through_redis(registry):
    # Two limiter objects stand for two workers on different machines: one budget between them.
    a, b = RateLimiter(rate=2, burst=1, key="verification:test-limit"), RateLimiter(rate=2, burst=1,
                                                                                 key="verification:test-limit")
    assert a.reserve() == 0
    wait = b.reserve()
    assert 0 < wait <= 0.5
    time.sleep(wait + 0.01)
    assert b.reserve() == 0


def test_circuit_breaker_opens_probes_once_and_closes(registry):
    breaker = CircuitBreaker(threshold=2, cooldown=0.3)
    breaker.record_failure()
    assert breaker.state() == "closed" and breaker.before_call() == 0
    breaker.record_failure()
    assert breaker.state() == "open" and breaker.before_call() > 0
    time.sleep(0.35)
    assert breaker.state() == "half_open"
    assert breaker.before_call() == 0  # the probe
    assert breaker.before_call() > 0  # everyone else waits for its verdict
    breaker.record_success()
    assert breaker.state() == "closed" and breaker.before_call() == 0


def test_open_breaker_makes_no_call(registry, settings):
    settings.VERIFICATION_BREAKER_THRESHOLD = 1
    registry.set(down=True)
    client = RegistryClient()
    with pytest.raises(RegistryUnavailable):
        client.verify(payload())
    calls = registry.calls()
    with pytest.raises(RegistryUnavailable) as exc:
        client.verify(payload())
    assert registry.calls() == calls
    assert exc.value.retry_after > 0
