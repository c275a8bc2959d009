"""Reads of the statistics and the records from a streaming replica; everything else from the primary.

When `DATABASE_REPLICA_URL` is set, settings add a `replica` alias next to `default` (the primary).
A read goes to the replica only when ALL of these hold, otherwise it goes to the primary:

- it happens inside `use_replica()`. `ReplicaReadsMiddleware` enters it for GET/HEAD requests to the
  dashboards and the read endpoints of the API (`DATABASE_REPLICA_PATHS`); code elsewhere (services,
  Celery tasks, the admin, uploads) never reads from the replica unless it asks to;
- the model belongs to an app whose data may be a second old (`DATABASE_REPLICA_APPS`: statistics,
  schools, staff, pupils, admin units). Users, sessions and API tokens are always read from the
  primary, so that a revoked token or a deactivated user is refused at once;
- no model of those apps has been written in this `use_replica()` block (through the ORM: raw SQL
  is not seen, but a service runs it inside `transaction.atomic()`, see next), and no transaction
  is open on the primary: a read that follows a write in the same request or transaction sees it;
- the client did not write within the last `DATABASE_REPLICA_PIN_SECONDS` (read-your-writes across
  requests): after a POST/PATCH/PUT/DELETE, or a GET that wrote, the middleware pins the client's
  session or API token to the primary for that long (a key with a TTL in the shared cache).

If the replica does not answer, the middleware sends the reads to the primary for the next
`REPLICA_RETRY_SECONDS` (per process) and logs it: a replica outage costs capacity, not pages.

The trade-off: other clients' writes show up on the replica after the replication lag (normally
milliseconds, seconds under a heavy load or a long VACUUM on the primary). The statistics are
already minutes old by design (pre-aggregated, refreshed by Celery), so the dashboards do not
notice; an API client that polls records written by *another* system may see them a moment later.
Writes always go to the primary: a hot standby refuses them anyway.
"""
from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
DEFAULT_APPS = ("dashboards", "schools", "teachers", "students", "geo")
DEFAULT_PATHS = ("/dashboards/", "/api/v1/stats/", "/api/v1/schools/", "/api/v1/staff/", "/api/v1/students/")
SAFE_METHODS = ("GET", "HEAD")

logger = logging.getLogger(__name__)


@dataclass
class ReplicaReads:
    """The state of one `use_replica()` block."""

    wrote: bool = False


_reads: contextvars.ContextVar[ReplicaReads | None] = contextvars.ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def use_replica():
    """Reads of the replica-safe models inside this block come from the replica (see module doc)."""
    state = ReplicaReads()
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


def _replica_apps() -> frozenset[str]:
    return frozenset(getattr(settings, "DATABASE_REPLICA_APPS", DEFAULT_APPS))


class ReplicaRouter:
    """DATABASE_ROUTERS entry. Without a replica configured every read and write uses `default`."""

    def db_for_read(self, model, **hints):
        state = _reads.get()
        if (state is None or state.wrote or not replica_configured()
                or model._meta.app_label not in _replica_apps()
                or connections[DEFAULT_DB_ALIAS].in_atomic_block):
            # Explicitly the primary: Django would otherwise fall back to the database the hinted
            # instance was read from, i.e. the replica, right after a write.
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _reads.get()
        # Only a write to data the replica serves can make a later read stale; bookkeeping writes
        # (a token's last_used_at, a session) are read from the primary anyway.
        if state is not None and model._meta.app_label in _replica_apps():
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's very rows: objects from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's WAL, schema included; it is never migrated itself.
        return False if db == REPLICA else None


# --- the web side: which requests read from the replica, and read-your-writes pins ----------

def _client_key(request) -> str | None:
    """Who is asking: the API token or the browser session (hashed; never stored in clear)."""
    raw = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not raw:
        return None
    return "db_router:pin:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 10))


def _pin(key: str | None) -> None:
    if key is None:
        return
    from django.core.cache import cache

    try:
        cache.set(key, 1, timeout=_pin_seconds())
    except Exception:  # noqa: BLE001 - a cache outage must not fail the write that already happened
        logger.warning("could not pin a client to the primary database", exc_info=True)


def _pinned(key: str | None) -> bool:
    if key is None:
        return False
    from django.core.cache import cache

    try:
        return cache.get(key) is not None
    except Exception:  # noqa: BLE001 - when in doubt, the primary is always correct
        return True


REPLICA_RETRY_SECONDS = 30.0
_replica_down_until = 0.0


def replica_usable() -> bool:
    """Whether the replica answers (connecting if needed); after a failure, False for a while
    without trying again, so that an outage does not add a connect timeout to every request."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        # A persistent connection the replica dropped (restart, failover) is replaced: one
        # `SELECT 1`, the check CONN_HEALTH_CHECKS would make at the first query anyway.
        if replica.connection is not None and not replica.is_usable():
            replica.close()
        replica.ensure_connection()
        replica.health_check_done = True
    except DatabaseError:
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning("read replica unreachable; reading from the primary for %.0f s", REPLICA_RETRY_SECONDS,
                       exc_info=True)
        return False
    return True


class ReplicaReadsMiddleware:
    """Runs GET/HEAD requests to `DATABASE_REPLICA_PATHS` inside `use_replica()`, unless the
    client wrote within the last DATABASE_REPLICA_PIN_SECONDS or the replica does not answer;
    pins a client that writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        key = _client_key(request)
        paths = tuple(getattr(settings, "DATABASE_REPLICA_PATHS", DEFAULT_PATHS))
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            _pin(key)
            return response
        if not request.path.startswith(paths) or _pinned(key) or not replica_usable():
            return self.get_response(request)
        with use_replica() as state:
            response = self.get_response(request)
        if state.wrote:
            _pin(key)
        return response
