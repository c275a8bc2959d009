"""Who is writing, and through which door, told to the database triggers.

The triggers (migrations/0002_triggers.py) read session settings `edu_portal.actor_id`,
`edu_portal.actor`, `edu_portal.door`, `edu_portal.request_id` and `edu_portal.token_id`.
They are pushed lazily: an execute wrapper on every connection sets them (one `SELECT
set_config(...)`) just before the first statement that writes to an audited table, and again
only when the actor changes. Reads, which are nearly all the traffic, cost nothing.

The actor comes from a context variable: the middleware sets it for each request (door "web",
or "api" under /api/; the user and API token are read when the write happens, so DRF's token
authentication, which runs inside the view, is seen), the Celery signals for each task, and
anything else may call set_actor(). Outside all of these (manage.py commands, the shell) the
door is "shell" and the actor is the operating-system user.

Connections are persistent (CONN_MAX_AGE), so settings pushed for a request are cleared at its
end (reset()), and a session setting made inside a transaction that later rolls back is undone
by PostgreSQL: after any rollback the wrapper pushes again.

Writes through the raw psycopg2 cursor (`cursor.cursor`, copy_expert) are not seen by the
wrapper: code doing that outside a task must call ensure_pushed() first (tasks, form posts and
set_actor() push at once). An explicit actor (a task's, set_actor()'s) is also pushed on every new
connection: Celery's Django fix-up closes the connection before each task, after our task_prerun
handler has pushed, so an upload commit's COPY used to run on a fresh session that named nobody
(recorded as "db:<role>", door shell).
"""
from __future__ import annotations

import getpass
import os
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DatabaseError, connections

from edu_portal.common.request_id import current_request_id

from .models import AUDITED_MODELS, Door

SETTINGS = ("edu_portal.actor_id", "edu_portal.actor", "edu_portal.door", "edu_portal.request_id",
            "edu_portal.token_id")
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "WITH", "COPY", "MERGE")
_AUDITED_TABLES = tuple(AUDITED_MODELS.values())


@dataclass(frozen=True)
class Actor:
    """Explicit actor values (tasks, commands, set_actor)."""

    door: str
    actor: str = ""
    actor_id: int | None = None
    token_id: int | None = None
    request_id: str = ""

    def values(self) -> tuple:
        return (self.actor_id, self.actor, self.door, self.request_id or _current_request_id(), self.token_id)


class RequestActor:
    """A web or API request: the user (and API token) are read when the first write happens,
    after DRF has authenticated the token (DRF copies user and auth onto the Django request)."""

    def __init__(self, request) -> None:
        self.request = request
        self.door = Door.API if request.path.startswith("/api/") else Door.WEB

    def values(self) -> tuple:
        request = self.request
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        token = getattr(request, "auth", None)
        token_id = getattr(token, "pk", None) if token is not None and not isinstance(token, (str, bytes)) else None
        return (user.pk if authenticated else None, user.get_username() if authenticated else "",
                self.door, getattr(request, "request_id", "") or _current_request_id(), token_id)


def _shell_actor() -> Actor:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = str(os.getuid()) if hasattr(os, "getuid") else ""
    return Actor(door=Door.SHELL, actor=f"shell:{name}")


_SHELL = _shell_actor()
_actor: ContextVar[Actor | RequestActor] = ContextVar("audit_actor", default=_SHELL)


def _current_request_id() -> str:
    value = current_request_id()
    return "" if value == "-" else value


def current_actor() -> Actor | RequestActor:
    return _actor.get()


def set_actor(*, user=None, door: str, actor: str = "", token_id: int | None = None,
              request_id: str = "") -> None:
    """Name who is writing from now on in this thread/task (e.g. a task started by a user, an
    upload committed on behalf of its uploader). `actor` defaults to the user's username.
    Inside a request it holds until the request ends; elsewhere call clear() when done."""
    name = actor or (user.get_username() if user is not None else "")
    _actor.set(Actor(door=door, actor=name[:150], actor_id=getattr(user, "pk", None), token_id=token_id,
                     request_id=request_id))
    # Pushed at once (one query), so that even a COPY on the raw psycopg2 cursor, which no
    # execute wrapper sees, is recorded under this name.
    ensure_pushed()


def set_request(request):
    """Used by the middleware; returns a token for clear()."""
    return _actor.set(RequestActor(request))


def clear(token=None, *, pushed_before=None) -> None:
    """Back to the shell actor, and clear what was pushed to the database session since
    `pushed_before` (pushed_state() taken at the start; None: clear anything pushed)."""
    if token is not None:
        _actor.reset(token)
    else:
        _actor.set(_SHELL)
    if pushed_before is None or pushed_state() is not pushed_before:
        reset()


def pushed_state(connection=None):
    """An opaque marker of what the session holds now (compare with `is`)."""
    return getattr(connection or connections["default"], "_audit_pushed", None)


# --- the database side --------------------------------------------------------------------------

class _Pushed:
    """What this connection's session holds now. A rollback (of the transaction or of a
    savepoint) may undo a set_config made inside it, so any rollback forgets this (see
    install_wrapper) and the next write to an audited table pushes again."""

    __slots__ = ("values",)

    def __init__(self, values: tuple) -> None:
        self.values = values


def _push(connection, values: tuple) -> None:
    actor_id, actor, door, request_id, token_id = values
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('edu_portal.actor_id', %s, false), set_config('edu_portal.actor', %s, false), "
            "set_config('edu_portal.door', %s, false), set_config('edu_portal.request_id', %s, false), "
            "set_config('edu_portal.token_id', %s, false)",
            ["" if actor_id is None else str(actor_id), actor or "", door, request_id or "",
             "" if token_id is None else str(token_id)],
        )
    connection._audit_pushed = _Pushed(values)


def ensure_pushed(connection=None) -> None:
    """Make the session settings name the current actor (one query, only when they differ)."""
    connection = connection or connections["default"]
    values = current_actor().values()
    pushed = getattr(connection, "_audit_pushed", None)
    if pushed is None or pushed.values != values:
        _push(connection, values)


def reset(connection=None) -> None:
    """Clear the session settings if anything was pushed (persistent connections outlive requests)."""
    connection = connection or connections["default"]
    if getattr(connection, "_audit_pushed", None) is None:
        return
    connection._audit_pushed = None
    if connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"set_config('{name}', '', false)" for name in SETTINGS))
    except DatabaseError:
        # The session is broken (e.g. the database restarted): do not let it serve another
        # request with somebody else's name on it.
        if not connection.in_atomic_block:
            connection.close()


def _writes_audited_table(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head.startswith(_WRITE_VERBS) and any(table in sql for table in _AUDITED_TABLES)


class AuditWrapper:
    """connection.execute_wrappers entry: pushes the actor before a write to an audited table."""

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str) and _writes_audited_table(sql):
            ensure_pushed(context["connection"])
        return execute(sql, params, many, context)


_WRAPPER = AuditWrapper()


def install_wrapper(sender=None, connection=None, **kwargs) -> None:
    """connection_created: a new session holds no settings; make sure the wrapper is in place,
    and that a rollback makes us forget what was pushed (PostgreSQL undoes a set_config made in
    a rolled-back transaction or savepoint; Django offers no rollback signal, hence the hook)."""
    connection._audit_pushed = None
    if _WRAPPER not in connection.execute_wrappers:
        connection.execute_wrappers.append(_WRAPPER)
    if not getattr(connection, "_audit_rollback_hooked", False):
        for name in ("_rollback", "_savepoint_rollback"):
            setattr(connection, name, _forgetting(connection, getattr(connection, name)))
        connection._audit_rollback_hooked = True
    actor = current_actor()
    if isinstance(actor, Actor) and actor is not _SHELL:
        # A task (or set_actor()) may write through the raw cursor first, which the wrapper does
        # not see: name it now on this new session (one query; requests and the shell stay lazy).
        _push(connection, actor.values())


def _forgetting(connection, rollback):
    def rollback_and_forget(*args, **kwargs):
        connection._audit_pushed = None
        return rollback(*args, **kwargs)

    return rollback_and_forget
