"""Login throttling: after repeated failures a username, or an address, is locked for a while.

Counters live in the shared cache (Redis), so every web process and machine sees the same
count. A locked username is refused even with the right password; otherwise the lock would
only slow a password-guessing attack down, not stop it.

If Redis is unreachable the check fails open (logins still work, an error is logged): an outage
of the cache should not lock the whole country out of the portal.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY_PREFIX = "security:login"


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "LOGIN_FAILURES_PER_USERNAME", 5),
        getattr(settings, "LOGIN_FAILURES_PER_IP", 20),
        getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900),
    )


def _digest(value: str) -> str:
    # Usernames are hashed so that the cache holds no personal data; case-insensitive so that
    # "Admin" and "admin" share one counter.
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]


def _subjects(username: str | None, ip: str | None) -> list[tuple[str, int]]:
    """The throttled subjects of one attempt, each with its failure limit."""
    per_username, per_ip, _ = _limits()
    subjects = []
    if username:
        subjects.append((f"user:{_digest(username)}", per_username))
    if ip and not _is_loopback(ip):
        subjects.append((f"ip:{ip}", per_ip))
    return subjects


def _is_loopback(ip: str) -> bool:
    """A loopback peer is a proxy on the same machine (or a test), not a client: locking it
    would lock everybody out. Behind a proxy set SECURITY_TRUSTED_PROXY_COUNT instead."""
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class LockState:
    locked: bool
    retry_after: int = 0  # seconds until the lock lifts

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def lock_state(*, username: str | None, ip: str | None) -> LockState:
    """Is this username or this address locked now, and for how long?"""
    try:
        keys = [f"{KEY_PREFIX}:locked:{subject}" for subject, _ in _subjects(username, ip)]
        until = max(cache.get_many(keys).values(), default=0)
    except Exception:  # noqa: BLE001 - fail open, see the module docstring
        logger.exception("login throttle: cache unavailable, not checking lockout")
        return LockState(locked=False)
    retry_after = int(until - time.time())
    return LockState(locked=retry_after > 0, retry_after=max(retry_after, 0))


def login_failed(*, username: str | None, ip: str | None) -> LockState:
    """Count one failed attempt. Counters expire LOGIN_LOCKOUT_SECONDS after the first failure
    of a window; reaching the limit locks the subject for LOGIN_LOCKOUT_SECONDS."""
    _, _, lockout_seconds = _limits()
    try:
        for subject, limit in _subjects(username, ip):
            counter = f"{KEY_PREFIX}:failures:{subject}"
            cache.add(counter, 0, timeout=lockout_seconds)
            try:
                count = cache.incr(counter)
            except ValueError:  # expired between add() and incr()
                cache.set(counter, 1, timeout=lockout_seconds)
                count = 1
            if count >= limit:
                cache.set(f"{KEY_PREFIX}:locked:{subject}", time.time() + lockout_seconds, timeout=lockout_seconds)
                cache.delete(counter)
                logger.warning("login locked out", extra={"subject": subject.split(":")[0], "client_ip": ip,
                                                          "failures": count, "lockout_seconds": lockout_seconds})
    except Exception:  # noqa: BLE001
        logger.exception("login throttle: cache unavailable, failure not counted")
    return lock_state(username=username, ip=ip)


def login_succeeded(*, username: str | None) -> None:
    """A successful login clears the username's failure counter (the address's counter stays:
    one right password must not reset an address that is guessing many usernames)."""
    try:
        cache.delete_many([f"{KEY_PREFIX}:failures:{subject}" for subject, _ in _subjects(username, None)])
    except Exception:  # noqa: BLE001
        logger.exception("login throttle: cache unavailable")


def unlock(*, username: str | None = None, ip: str | None = None) -> None:
    """Lift a lock by hand (an operator, from `manage.py shell`, after checking who asked)."""
    subjects = [subject for subject, _ in _subjects(username, ip)]
    cache.delete_many([f"{KEY_PREFIX}:{kind}:{subject}" for subject in subjects for kind in ("locked", "failures")])


def client_ip(request) -> str | None:
    """The caller's address. Behind N trusted reverse proxies (SECURITY_TRUSTED_PROXY_COUNT),
    the N-th address from the right of X-Forwarded-For; otherwise REMOTE_ADDR. Trusting the
    header without a proxy would let an attacker pick a fresh address for every attempt."""
    if request is None:
        return None
    proxies = getattr(settings, "SECURITY_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
