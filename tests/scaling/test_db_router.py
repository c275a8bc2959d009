"""The router's decisions and the middleware's pins, with a `replica` alias declared (these tests
never connect to it: the drill, test_replica_router.py, reads through a real one)."""
import uuid

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from api.models import ApiToken
from dashboards.models import SchoolStats
from edu_portal import db_router
from edu_portal.db_router import ReplicaReadsMiddleware, ReplicaRouter, use_replica
from schools.models import School
from students.models import Student

router = ReplicaRouter()
# The router only asks whether a `replica` alias is declared; no connection is made to it here.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")


def declare_replica(settings, monkeypatch, **changes):
    """A `replica` alias on the test database itself (or, with changes, somewhere else)."""
    replica = {**connections.settings["default"], **changes}
    settings.DATABASES = {**settings.DATABASES, "replica": replica}
    settings.DATABASE_REPLICA_PIN_SECONDS = 5
    connections.settings["replica"] = replica
    monkeypatch.setattr(db_router, "_replica_down_until", 0.0)


@pytest.fixture
def with_replica(settings, monkeypatch):
    declare_replica(settings, monkeypatch)
    yield
    forget_replica()


def forget_replica():
    if "replica" in connections.settings:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


def test_without_a_replica_everything_reads_from_the_primary(settings):
    assert "replica" not in settings.DATABASES
    with use_replica():
        assert router.db_for_read(Student) == "default"


def test_outside_use_replica_reads_stay_on_the_primary(with_replica):
    assert router.db_for_read(Student) == "default"
    assert router.db_for_read(Student, instance=Student(pk=1)) == "default"


def test_inside_use_replica_records_and_statistics_read_from_the_replica_but_users_and_tokens_do_not(with_replica):
    with use_replica():
        assert [router.db_for_read(m) for m in (Student, School, SchoolStats)] == ["replica"] * 3
        assert [router.db_for_read(m) for m in (User, ApiToken)] == ["default", "default"]


def test_a_write_in_the_block_sends_later_reads_to_the_primary_a_bookkeeping_write_does_not(with_replica):
    with use_replica() as state:
        assert router.db_for_write(ApiToken) == "default"  # e.g. a token's last_used_at
        assert not state.wrote and router.db_for_read(Student) == "replica"
        assert router.db_for_write(School) == "default"
        assert state.wrote and router.db_for_read(Student) == "default"
    with use_replica():  # a new block starts clean
        assert router.db_for_read(Student) == "replica"


def test_inside_a_transaction_reads_stay_on_the_primary(with_replica, transactional_db):
    with use_replica():
        with transaction.atomic():
            assert router.db_for_read(Student) == "default"
        assert router.db_for_read(Student) == "replica"


def test_the_replica_is_never_migrated_and_relations_span_both(with_replica):
    assert router.allow_migrate("replica", "students") is False
    assert router.allow_migrate("default", "students") is None
    a, b = Student(), School()
    a._state.db, b._state.db = "replica", "default"
    assert router.allow_relation(a, b) is True


def reads_from(middleware, request) -> str:
    seen = {}

    def view(req):
        seen["db"] = router.db_for_read(Student)
        return HttpResponse()

    middleware(view)(request)
    return seen["db"]


@pytest.fixture
def replica_answers(monkeypatch):
    """Whether the replica answers is the drill's business (a real standby); here it does."""
    monkeypatch.setattr(db_router, "replica_usable", lambda: True)


def test_middleware_reads_dashboards_and_api_from_the_replica_until_the_client_writes(with_replica, replica_answers):
    rf = RequestFactory()
    token = f"Token drill-{uuid.uuid4().hex}"  # a client of its own: the pin lives in the shared cache
    get = lambda path: rf.get(path, HTTP_AUTHORIZATION=token)  # noqa: E731
    assert reads_from(ReplicaReadsMiddleware, get("/api/v1/students/")) == "replica"
    assert reads_from(ReplicaReadsMiddleware, get("/dashboards/")) == "replica"
    assert reads_from(ReplicaReadsMiddleware, get("/students/")) == "default"  # pages that edit records
    reads_from(ReplicaReadsMiddleware, rf.post("/api/v1/students/", HTTP_AUTHORIZATION=token))
    assert reads_from(ReplicaReadsMiddleware, get("/api/v1/students/")) == "default"  # pinned: read-your-writes
    other = rf.get("/api/v1/students/", HTTP_AUTHORIZATION=f"Token other-{uuid.uuid4().hex}")
    assert reads_from(ReplicaReadsMiddleware, other) == "replica"


def test_middleware_pins_a_client_whose_get_wrote_records(with_replica, replica_answers):
    rf = RequestFactory()
    token = f"Token drill-{uuid.uuid4().hex}"

    def writing_view(req):
        router.db_for_write(Student)
        return HttpResponse()

    ReplicaReadsMiddleware(writing_view)(rf.get("/dashboards/", HTTP_AUTHORIZATION=token))
    assert reads_from(ReplicaReadsMiddleware, rf.get("/dashboards/", HTTP_AUTHORIZATION=token)) == "default"


def test_a_replica_that_does_not_answer_sends_reads_to_the_primary_for_a_while(settings, monkeypatch,
                                                                              django_db_blocker):
    declare_replica(settings, monkeypatch, PORT=1)  # nothing listens there: connection refused
    try:
        with django_db_blocker.unblock():
            request = RequestFactory().get("/dashboards/", HTTP_AUTHORIZATION=f"Token drill-{uuid.uuid4().hex}")
            assert reads_from(ReplicaReadsMiddleware, request) == "default"
        assert db_router._replica_down_until > 0
        assert not db_router.replica_usable()  # no new attempt (the blocker would raise) until then
    finally:
        forget_replica()
