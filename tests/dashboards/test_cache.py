"""The dashboards' cache (dashboards/cache.py): what a caller does to its figures stays its own, and
one request sees one statistics version."""
import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.scope import Scope
from dashboards import cache as stats_cache
from dashboards.selectors import stats_summary
from dashboards.services import stats_refresh_all


@pytest.fixture
def refreshed(world):
    stats_refresh_all()
    return world


def test_each_caller_gets_figures_of_its_own(refreshed):
    """The pages add links to the rows and sort them: neither the caller that computed a selection,
    nor one served from this process's memo or from Redis, changes what the next caller gets."""
    selection = {"scope": Scope.country(), "filters": {}, "groups": ("province", "level", "ownership")}
    computed = stats_summary(**selection)
    pupils, order = computed.total["pupils"], [r["key"] for r in computed.groups["province"]]
    assert pupils and len(order) > 1

    def spoil(summary):
        summary.total["pupils"] = -1
        summary.groups["province"].reverse()
        summary.groups["province"][0]["url"] = "/elsewhere/"
        summary.groups["province"][0]["verification"]["verified"] = -1

    def assert_intact(summary):
        assert summary.total["pupils"] == pupils
        assert [r["key"] for r in summary.groups["province"]] == order
        assert all("url" not in r and r["verification"]["verified"] >= 0 for r in summary.groups["province"])

    spoil(computed)
    from_memo = stats_summary(**selection)
    assert_intact(from_memo)
    spoil(from_memo)
    stats_cache._LOCAL["entries"].clear()  # another process: the figures come from Redis
    from_redis = stats_summary(**selection)
    assert_intact(from_redis)
    spoil(from_redis)
    assert_intact(stats_summary(**selection))


def _signal(signal):
    """As Django's test client sends them (closing connections would end the test's transaction)."""
    signal.disconnect(close_old_connections)
    try:
        signal.send(sender=None)
    finally:
        signal.connect(close_old_connections)


def test_one_request_sees_one_statistics_version():
    stats_cache.stats_version_bump()
    before = stats_cache.stats_version()
    stats_cache.stats_version_bump()  # outside requests (a worker, a shell) each bump is seen at once
    assert stats_cache.stats_version() not in (None, before)
    _signal(request_started)
    try:
        during = stats_cache.stats_version()
        cache.set(stats_cache.VERSION_KEY, "another-process", None)  # a refresh elsewhere, mid-request
        assert stats_cache.stats_version() == during  # the figures and the choices of the page agree
        stats_cache.stats_version_bump()  # a refresh within this request is seen by what follows it
        assert stats_cache.stats_version() not in (during, "another-process")
    finally:
        _signal(request_finished)
    cache.set(stats_cache.VERSION_KEY, "next", None)
    assert stats_cache.stats_version() == "next"  # the next request, or a worker, reads it again
    _signal(request_started)
    try:
        assert stats_cache.stats_version() == "next"
    finally:
        _signal(request_finished)


def test_labels_from_the_cache_follow_the_readers_language(refreshed):
    """A selection's labels are lazy texts: served from this process's memo or from Redis (another
    process), each still renders in the language of the request that reads it, as the computed one does."""
    from django.utils import translation
    from django.utils.functional import Promise

    selection = {"scope": Scope.country(), "filters": {}, "groups": ("level",)}

    def labels(summary):
        rows = summary.groups["level"]
        assert rows and all(isinstance(r["name"], Promise) for r in rows)
        return {r["key"]: (translation.override("vi")(str)(r["name"]),
                           translation.override("en")(str)(r["name"])) for r in rows}

    computed = labels(stats_summary(**selection))
    assert any(vi != en for vi, en in computed.values())
    assert labels(stats_summary(**selection)) == computed
    stats_cache._LOCAL["entries"].clear()  # another process: the figures come from Redis
    assert labels(stats_summary(**selection)) == computed


def test_a_request_reads_every_version_in_one_round_trip(monkeypatch):
    from dashboards import official

    cache.set(stats_cache.VERSION_KEY, "stats-1", None)
    cache.set(official.VERSION_KEY, "official-1", None)
    cache.delete(official.PERIODS_VERSION_KEY)  # never bumped: "0", as when read alone
    reads = []
    get_many, get = cache.get_many, cache.get
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(tuple(keys)) or get_many(keys))
    monkeypatch.setattr(cache, "get", lambda key, *a: reads.append(key) or get(key, *a))
    _signal(request_started)
    try:
        assert stats_cache.stats_version() == "stats-1"
        assert official.official_version() == "official-1"
        assert official._PERIODS_VERSION.get() == "0"
        assert len(reads) == 1 and set(reads[0]) >= {stats_cache.VERSION_KEY, official.VERSION_KEY}
        official.official_version_bump()  # bumped in the request: the next read is the new one, the others kept
        cache.set(stats_cache.VERSION_KEY, "stats-2", None)
        assert official.official_version() not in ("official-1", "0")
        assert stats_cache.stats_version() == "stats-1"
    finally:
        _signal(request_finished)
