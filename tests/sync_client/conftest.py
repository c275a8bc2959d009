"""The reference client against a real portal: pytest-django's live server (a real HTTP server in a thread of
this process) on the test database in PostgreSQL, tokens made through the service as an operator would."""
import pytest

from accounts.models import Role
from api.services import api_token_create
from edu_portal.celery import app as celery_app
from schools.selectors import scope_parse
from sync_client.client import Client
from sync_client.store import Mirror
from tests.factories import UserFactory
from tests.processes import thread_worker


@pytest.fixture
def portal(live_server, settings):
    # A snapshot's as_of is by default 5 s behind the oldest open transaction: a test that writes, loads and
    # writes again within seconds would see its own first writes only in the delta. No margin here; the
    # margin's own rule is tested in tests/api/test_feed.py.
    settings.API_SNAPSHOT_MARGIN_SECONDS = 0
    return live_server.url


@pytest.fixture
def province_token(transactional_db):
    """A Hà Nội read-only token, as `create_api_token --user hanoi --scope province:01` makes it."""
    user = UserFactory(role=Role.PROVINCE, province_id="01")
    return api_token_create(user=user, name="vendor", scope=scope_parse("province:01"), can_write=False)[1]


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker in a thread: bulk jobs run there."""
    with thread_worker():
        yield
    celery_app.control.purge()  # what the writes queued (verification, statistics) is not for the next test


@pytest.fixture
def mirror(tmp_path):
    store = Mirror(tmp_path / "mirror.sqlite3")
    yield store
    store.close()


def client_for(url: str, token: str | None) -> Client:
    return Client(url, token, max_attempts=3, backoff_max=2)
