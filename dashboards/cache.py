"""The dashboards' cache: figures change only when a refresh commits, which bumps the version.

A selection is memoised per process and shared by every process through Redis, under the current
statistics version; a new version makes every older entry unreachable. Without Redis the figures
are computed every time.
"""
from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import pickle  # noqa: S403 - our own selections, written by our own processes
import threading
import uuid

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.utils.functional import Promise, lazy

from accounts.scope import Scope

VERSION_KEY = "dashboards:stats_version"
_LOCAL: dict = {"version": None, "entries": {}}
_LOCAL_MAX = 512


# Within a request the version is read from Redis once: a dashboard page asks for it three times (its
# figures, and the year choices of the two filter sets it builds), each a round trip. Outside requests
# (workers, shells) it is read every time.
_REQUEST = threading.local()


def _request_begins(**kwargs) -> None:
    _REQUEST.memo = {}


def _request_ends(**kwargs) -> None:
    _REQUEST.__dict__.pop("memo", None)


def request_memo() -> dict | None:
    """A dict that lives as long as the current request (None outside one), for what a request would
    otherwise read several times: the versions in Redis (SharedVersion.get). Not a cache of figures: the next
    request starts empty."""
    return getattr(_REQUEST, "memo", None)


request_started.connect(_request_begins, dispatch_uid="dashboards.cache.request_begins")
request_finished.connect(_request_ends, dispatch_uid="dashboards.cache.request_ends")


def request_forget(key: str) -> None:
    """A version bumped inside a request: what the request reads next is the new one."""
    memo = request_memo()
    if memo is not None:
        memo.pop(key, None)


_VERSIONS: list[SharedVersion] = []  # every SharedVersion made, read together once a request


class SharedVersion:
    """A version kept in Redis under `key`, part of the keys of what is cached under it: read once a request
    (SharedVersion.get), replaced by `bump()` when what it versions changes. Without Redis it reads as `unreachable`
    (nothing is then cached under it)."""

    def __init__(self, key: str, *, unreachable: str | None = "") -> None:
        self.key, self.unreachable = key, unreachable
        _VERSIONS.append(self)

    def get(self) -> str | None:
        """Inside a request, the first version asked for reads every version at once (one MGET): a dashboard page
        asks for two or three of them (the statistics', the periods', the official figures'), each a round trip."""
        memo = request_memo()
        if memo is None:
            return self._read()
        if self.key not in memo:
            try:
                found = cache.get_many([version.key for version in _VERSIONS])
            except Exception:  # noqa: BLE001 - without Redis everything is computed every time (not kept)
                return self.unreachable
            for version in _VERSIONS:
                memo.setdefault(version.key, found.get(version.key) or "0")
        return memo[self.key]

    def _read(self) -> str | None:
        try:
            return cache.get(self.key) or "0"
        except Exception:  # noqa: BLE001 - without Redis everything is computed every time
            return self.unreachable

    def bump(self) -> None:
        request_forget(self.key)  # a write inside a request: what it reads next is the new version
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except Exception:  # noqa: BLE001, S110 - nothing is cached without Redis either
            pass

    def changed(self) -> None:
        """A write inside a transaction: the cached answers dropped now (for the transaction's own readers) and
        again at commit (a reader between the two may have cached the old ones under the new version)."""
        self.bump()
        transaction.on_commit(self.bump)


_STATS_VERSION = SharedVersion(VERSION_KEY, unreachable=None)


def stats_version() -> str | None:
    """The version of the statistics (bumped by every refresh); None when Redis is unreachable.
    One request sees one version from its first read on (its figures and its choices agree)."""
    return _STATS_VERSION.get()


def stats_version_bump() -> None:
    _STATS_VERSION.bump()


def stats_changed() -> None:
    """New figures written in the caller's transaction (a refresh): SharedVersion.changed."""
    _STATS_VERSION.changed()


def selection_key(scope: Scope, filters: dict | None, *parts) -> tuple:
    return (scope.kind, scope.province_code, scope.school_id,
            tuple(sorted((k, str(v)) for k, v in (filters or {}).items() if v not in (None, ""))), *parts)


SHARED_TTL = 3600  # seconds; a new version makes old entries unreachable long before


def _shared_key(version: str, key: tuple) -> str:
    # The database's name too: several databases may share one Redis (test workers, staging).
    digest = hashlib.sha256(repr((connection.settings_dict["NAME"], key)).encode()).hexdigest()[:40]
    return f"dashboards:b:{version}:{digest}"  # b: bytes pickled by cached() (p: pickled again by Django, before)


def shared_call(method, *args):
    """A call on the shared cache; None if Redis went away since the version was read (the
    selection is then computed, and the local copy still serves this process)."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001
        return None


@functools.cache
def _lazy_function(func, *resultclasses):
    return lazy(func, *resultclasses)


def _lazy_again(func, args, kwargs, *resultclasses):
    """A lazy text (a level's or a state's label) out of a pickle. Django's own unpickling calls lazy()
    for each one, which builds a new proxy class every time (~0.25 ms: a dashboard's selections hold a few
    dozen labels, 2-3 ms of a 20 ms page); here the class is built once per function."""
    return _lazy_function(func, *resultclasses)(*args, **kwargs)


def _reduce_lazy(obj):
    _unpickle, arguments = obj.__reduce__()
    return _lazy_again, arguments


def _reduce_as_usual(obj):
    return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # what the pickler calls for it without this table


class _Reducers(dict):
    """copyreg's reducers, and _reduce_lazy for every class of lazy text (found the first time one is seen). A
    table the C pickler looks in only for what is not a str, int, float, list, dict...: a Pickler subclass
    overriding reducer_override was called back in Python for every one of a selection's ten thousand values
    (a third of the time a province's summary took to pickle)."""

    def __missing__(self, cls):
        if not isinstance(cls, type) or issubclass(cls, type):
            raise KeyError(cls)  # classes are pickled by name, which the pickler does after looking here
        # Any other class (a selection's datetimes, its dataclass): the pickler's own reduction, kept so that the
        # next one is found here rather than raising KeyError again (each row of a selection has a timestamp).
        reducer = _reduce_lazy if issubclass(cls, Promise) else _reduce_as_usual
        self[cls] = reducer
        return reducer


_REDUCERS = _Reducers(copyreg.dispatch_table)


def dumps(value) -> bytes:
    """A selection pickled for this process's memo and Redis (lazy texts by _REDUCERS)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


def cached(fn):
    """Memoise a selector under the current statistics version: per process, and shared by every
    process through Redis, so that after a refresh one process computes a selection (national
    size: ~50 ms for the overview) and the others read it (~1 ms).

    Kept pickled, here and in Redis: each caller gets its own copy (callers add links to the rows and
    sort them) from one pickle.loads, a few times cheaper than copying the rows object by object, and
    the caller that computed the selection keeps the original."""
    @functools.wraps(fn)
    def wrapper(*, scope: Scope, filters: dict | None = None, **kwargs):
        version = stats_version()
        if version is None:
            return fn(scope=scope, filters=filters, **kwargs)
        if _LOCAL["version"] != version:
            _LOCAL["version"], _LOCAL["entries"] = version, {}
        key = selection_key(scope, filters, fn.__name__, *sorted((k, str(v)) for k, v in kwargs.items()))
        pickled = _LOCAL["entries"].get(key)
        value = None
        if pickled is None:
            shared = _shared_key(version, key)
            pickled = shared_call(cache.get_bytes, shared)
            if not isinstance(pickled, bytes):
                value = fn(scope=scope, filters=filters, **kwargs)
                pickled = dumps(value)
                shared_call(cache.set_bytes, shared, pickled, SHARED_TTL)
            if len(_LOCAL["entries"]) >= _LOCAL_MAX:
                _LOCAL["entries"].clear()
            _LOCAL["entries"][key] = pickled
        return value if value is not None else pickle.loads(pickled)  # noqa: S301 - see the import

    wrapper.uncached = fn
    return wrapper
