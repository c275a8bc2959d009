"""Login throttling: after repeated failures a username, or an address, is locked for a while.

Counters live in the shared cache (Redis), so every web process and machine sees the same
count. A locked username is refused even with the right password; otherwise the lock would
only slow a password-guessing attack down, not stop it.

Each attempt reserves its place atomically before the password is checked (attempt_reserve):
of N parallel guesses, only as many as the limit allows reach the password hash.

If Redis is unreachable the check fails open (logins still work, an error is logged): an outage
of the cache should not lock the whole country out of the portal.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
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
    remaining = until - time.time()
    # Rounded up: a lock with 0.4 s left is still a lock (its counter may still be full).
    return LockState(locked=remaining > 0, retry_after=max(math.ceil(remaining), 0))


@dataclass(frozen=True)
class Attempt:
    """One login attempt that holds a reservation on each of its subjects (or was refused)."""
    username: str | None
    ip: str | None
    reserved: tuple[tuple[str, int, int], ...] = ()  # (subject, count after the reservation, limit)
    refused: LockState | None = None


def attempt_reserve(*, username: str | None, ip: str | None) -> Attempt:
    """Take one attempt from each subject's allowance BEFORE the password is checked.

    The counter is incremented atomically (Redis INCR), so of N parallel guesses only the first
    `limit` are let through to the password check; the others are refused without it. Checking
    a lock first and counting the failure after the (slow) hash would let a whole burst be
    evaluated. A reservation that is not released is a failure: it stays counted for the window
    (LOGIN_LOCKOUT_SECONDS from the first attempt)."""
    state = lock_state(username=username, ip=ip)
    if state.locked:
        return Attempt(username=username, ip=ip, refused=state)
    _, _, lockout_seconds = _limits()
    reserved: list[tuple[str, int, int]] = []
    try:
        for subject, limit in _subjects(username, ip):
            counter = f"{KEY_PREFIX}:failures:{subject}"
            count = _reserve_one(counter, lockout_seconds)
            reserved.append((subject, count, limit))
            if count > limit:
                # Others are being evaluated right now and took the allowance: refuse, give back
                # what this attempt took, and show the lock at once (the last failure renews it).
                for taken_subject, _, _ in reserved:
                    _release_one(f"{KEY_PREFIX}:failures:{taken_subject}")
                cache.touch(counter, lockout_seconds)  # the counter ends before the lock, never after
                cache.add(f"{KEY_PREFIX}:locked:{subject}", time.time() + lockout_seconds, timeout=lockout_seconds)
                return Attempt(username=username, ip=ip, refused=LockState(locked=True, retry_after=lockout_seconds))
    except Exception:  # noqa: BLE001 - fail open, see the module docstring
        logger.exception("login throttle: cache unavailable, attempt not counted")
        return Attempt(username=username, ip=ip)
    return Attempt(username=username, ip=ip, reserved=tuple(reserved))


def _reserve_one(counter: str, lockout_seconds: int) -> int:
    cache.add(counter, 0, timeout=lockout_seconds)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add() and incr()
        cache.add(counter, 0, timeout=lockout_seconds)
        count = cache.incr(counter)
    if count <= 1:
        # A new window. Also gives a TTL to a counter that INCR/DECR re-created after it expired
        # (Django's incr checks existence, then increments: not one atomic step).
        cache.touch(counter, lockout_seconds)
    return count


def _release_one(counter: str) -> None:
    try:
        cache.decr(counter)
    except ValueError:  # the window has already ended
        pass


def attempt_failed(attempt: Attempt) -> LockState:
    """The password was wrong: the reservations stay counted. The attempt that used up a
    subject's allowance locks it for LOGIN_LOCKOUT_SECONDS (counter and lock end together)."""
    _, _, lockout_seconds = _limits()
    try:
        for subject, count, limit in attempt.reserved:
            if count >= limit:
                cache.touch(f"{KEY_PREFIX}:failures:{subject}", lockout_seconds)
                cache.set(f"{KEY_PREFIX}:locked:{subject}", time.time() + lockout_seconds, timeout=lockout_seconds)
                logger.warning("login locked out", extra={"subject": subject.split(":")[0], "client_ip": attempt.ip,
                                                          "failures": count, "lockout_seconds": lockout_seconds})
    except Exception:  # noqa: BLE001
        logger.exception("login throttle: cache unavailable, failure not counted")
    return lock_state(username=attempt.username, ip=attempt.ip)


def attempt_succeeded(attempt: Attempt) -> None:
    """The right password: the username's counter and lock are cleared (its owner proved who
    they are); the address gives back only this attempt's reservation (one right password must
    not reset an address that is guessing many usernames)."""
    try:
        for subject, _, _ in attempt.reserved:
            if subject.startswith("user:"):
                cache.delete_many([f"{KEY_PREFIX}:failures:{subject}", f"{KEY_PREFIX}:locked:{subject}"])
            else:
                _release_one(f"{KEY_PREFIX}:failures:{subject}")
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
