"""Hand-written reads that every dashboard request runs, prepared once per database connection.

PostgreSQL parses, analyses and plans a statement each time it receives its text. For the dashboards' reads
that work is a large part of the statement: a province's summary (40 sums over a few hundred rows) spent
0.65 ms of its 2 ms being parsed, the standing lists 0.6 ms of 1.4 ms being planned. A prepared statement
(PREPARE once, then EXECUTE) is parsed once per connection; PostgreSQL then plans it as it sees fit (its
plan_cache_mode: a generic plan when that costs no more than the custom ones).

- A statement is named after its text, and prepared the first time a connection runs it; a new connection
  (a reconnect, another thread) starts with none.
- A prepared statement outlives a rolled-back transaction (PostgreSQL keeps it for the session), so a
  statement prepared inside a transaction that later fails is still known here and in the server.
- Each connection keeps at most MAX_PER_CONNECTION of them, the least recently run deallocated first.
- DB_PREPARED_STATEMENTS=false turns this off (behind a transaction-mode pooler such as PgBouncer's, where a
  session's prepared statements do not follow its next transaction).
- A text PostgreSQL refuses to prepare (a parameter whose type it cannot infer) is run as before, and never
  prepared again by this process.
- A LIMIT or OFFSET given as a parameter keeps the statement planned at every call (the generic plan assumes a
  tenth of the rows are wanted, so it never looks cheaper): write the few values a caller uses into the text
  (dashboards.selectors_facilities.facilities_standard_list).
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import weakref
from collections import OrderedDict

import psycopg2
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_PER_CONNECTION = 64
DUPLICATE_PREPARED_STATEMENT = "42P05"
_PLACEHOLDER = re.compile(r"%(%|s)")
_REFUSED: set[str] = set()  # names PostgreSQL would not prepare
_TEXTS: dict[str, str] = {}  # name -> text, of those prepared by this process (the first MAX_TEXTS)
MAX_TEXTS = 4096
_LOCK = threading.Lock()
_BY_CONNECTION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # psycopg2 connection -> names


def _numbered(sql: str) -> str:
    """The text as PREPARE takes it: %s -> $1, $2, ... (in order), %% -> % (there is no interpolation)."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def _prepared(cursor) -> OrderedDict:
    """The statements prepared on the cursor's connection: kept by the driver's connection itself, which a
    reconnect replaces and which two of Django's aliases may share (a test mirror of the replica)."""
    raw = cursor.db.connection
    prepared = _BY_CONNECTION.get(raw)
    if prepared is None:
        with _LOCK:  # the web server's threads each have a connection, and share the registry
            prepared = _BY_CONNECTION.setdefault(raw, OrderedDict())
    return prepared


def _prepare(cursor, name: str, sql: str) -> bool:
    """PREPARE `sql` as `name` on the cursor's connection; False when PostgreSQL refuses the text (then
    remembered, and run as text). Sent on the driver's own cursor: not one of the request's statements (the
    audit's and the period locks' wrappers, the query log), which are the EXECUTEs. Inside a transaction the
    attempt is in a savepoint of its own, so that a refusal does not abort it."""
    raw, in_transaction = cursor.cursor, cursor.db.in_atomic_block
    try:
        if in_transaction:
            raw.execute("SAVEPOINT edu_prepare")
        raw.execute(f"PREPARE {name} AS {_numbered(sql)}")
    except psycopg2.Error as error:
        if in_transaction:
            raw.execute("ROLLBACK TO SAVEPOINT edu_prepare")
            raw.execute("RELEASE SAVEPOINT edu_prepare")
        # Already prepared by another alias of this connection: as good as done here.
        if error.pgcode != DUPLICATE_PREPARED_STATEMENT:
            if not (error.pgcode or "").startswith("42"):  # a broken connection or transaction: not the text's doing
                raise
            logger.warning("Statement not prepared, run as text from now on: %.200s", sql, exc_info=True)
            _REFUSED.add(name)
            return False
    else:
        if in_transaction:
            raw.execute("RELEASE SAVEPOINT edu_prepare")
    if len(_TEXTS) < MAX_TEXTS:
        _TEXTS[name] = sql
    return True


def statement_text(executed: str) -> str:
    """The text an "EXECUTE edu_..." ran (for the tests and the query log's readers); other statements as they
    are."""
    match = re.match(r"EXECUTE (edu_[0-9a-f]+)", executed)
    return _TEXTS.get(match.group(1), executed) if match else executed


def execute_prepared(cursor, sql: str, params: list | tuple | None = None) -> None:
    """cursor.execute(sql, params) through a statement prepared on the cursor's connection. `sql` takes its
    values as %s placeholders only (a list of `params`), as the rest of our hand-written SQL does."""
    if not getattr(settings, "DB_PREPARED_STATEMENTS", True):
        cursor.execute(sql, params)
        return
    name = "edu_" + hashlib.blake2b(sql.encode(), digest_size=12).hexdigest()
    if name in _REFUSED:
        cursor.execute(sql, params)
        return
    prepared = _prepared(cursor)
    if name in prepared:
        prepared.move_to_end(name)
    else:
        while len(prepared) >= MAX_PER_CONNECTION:
            oldest, _ = prepared.popitem(last=False)
            cursor.cursor.execute(f"DEALLOCATE {oldest}")
        if not _prepare(cursor, name, sql):
            cursor.execute(sql, params)
            return
        prepared[name] = True
    params = list(params or ())
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"EXECUTE {name}{arguments}", params or None)
