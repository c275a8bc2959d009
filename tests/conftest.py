"""Shared fixtures. Tests run against the real PostgreSQL and Redis (make test starts them)."""
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from accounts.models import Role
from edu_portal.common.request_id import request_id_var
from tests.factories import SchoolFactory, UserFactory

# The autouse fixture below is function-scoped but idempotent, so Hypothesis may reuse it.
settings.register_profile("portal", suppress_health_check=[HealthCheck.function_scoped_fixture],
                          deadline=None, max_examples=200)
settings.load_profile("portal")


def pytest_collection_modifyitems(items):
    """Schemathesis makes one test per API operation, named after it ("...[GET /api/v1/schools/]"), but under
    pytest 9 they all share the function's node id. pytest-xdist hands tests out by node id: of the 87
    operations, one ran. Each test takes the id its name says."""
    for item in items:
        if item.nodeid.rpartition("::")[2] != item.name:
            item._id = type(item.id).parse(f"{item.parent.nodeid}::{item.name}")


@pytest.fixture(autouse=True)
def admin_units(request):
    """Administrative units (and the equipment catalogue, facilities migration 0002) are reference data
    records point to. Transactional tests truncate all tables afterwards, so reload them whenever they are
    missing."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from geo.models import Province

    if not Province.objects.exists():
        call_command("load_admin_units", verbosity=0)
    from facilities.catalogue import catalogue_load
    from facilities.models import EquipmentItem

    if not EquipmentItem.objects.exists():
        catalogue_load(EquipmentItem)


@pytest.fixture(autouse=True)
def fresh_statistics_cache():
    """Each test's database starts over, but Redis (and the dashboards' cache in it, keyed by the
    statistics version) outlives it: a new version per test, as a refresh would."""
    from dashboards.cache import _LOCAL, stats_version_bump
    from dashboards.official import official_version_bump, periods_version_bump

    stats_version_bump()
    official_version_bump()  # the official figures cached for the pages, likewise
    periods_version_bump()  # and the periods of their pickers
    _LOCAL["entries"].clear()


@pytest.fixture(autouse=True)
def outside_any_request():
    """Each test starts outside any request, as a shell or a task does. The request id is a context variable of
    the thread, and a request made through the test client clears it only when its response is closed: a
    streamed export a test did not read to the end leaves its id to the tests that run after it in the same
    process (which ones, depends on how the parallel run hands out the modules)."""
    request_id_var.set("-")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture
def school_a(db):
    return SchoolFactory(name="Trường Tiểu học A", province_id="01")


@pytest.fixture
def school_b(db):
    return SchoolFactory(name="Trường Tiểu học B", province_id="01")


@pytest.fixture
def school_other_province(db):
    return SchoolFactory(name="Trường Tiểu học Sài Gòn", province_id="79")


@pytest.fixture
def ministry_user(db):
    return UserFactory(username="t_ministry", role=Role.MINISTRY)


@pytest.fixture
def province_user(db):
    return UserFactory(username="t_hanoi", role=Role.PROVINCE, province_id="01")


@pytest.fixture
def province_user_y(db):
    return UserFactory(username="t_hcm", role=Role.PROVINCE, province_id="79")


@pytest.fixture
def school_user(db, school_a):
    return UserFactory(username="t_school_a", role=Role.SCHOOL, school=school_a, may_view_id_numbers=True)


@pytest.fixture
def school_user_b(db, school_b):
    return UserFactory(username="t_school_b", role=Role.SCHOOL, school=school_b, may_view_id_numbers=True)


# --- Headless Chromium through Playwright (pages are tested as a person uses them) ---------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    import os

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                      headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """login(page, user): sign in through the real login form."""

    def _login(page, user, password="pw-for-tests-2026"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


def save_artifact(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
