"""Schemathesis against the statistics operations of the live OpenAPI schema (the records'
operations are covered in tests/api/): no 5xx, every answer matches the schema."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.services import api_token_create
from dashboards.services import stats_refresh_all
from schools.selectors import scope_parse


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", _wsgi_app()).include(
    path_regex=r"^/api/v1/stats/")
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture
def stats(db, school_a, school_other_province):
    from django.core import signals
    from django.db import close_old_connections

    stats_refresh_all()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_stats_conform_to_the_schema(case, stats, ministry_user, settings):
    settings.API_THROTTLE_RATE = "1000000/minute"
    _, secret = api_token_create(user=ministry_user, name="schemathesis", scope=scope_parse("province:01"))
    # Schema-valid is not always acceptable: a well-formed province code that names no province
    # is a 400 with field errors, so that one check is left out (as in tests/api/).
    case.call_and_validate(headers={"Authorization": f"Token {secret}"}, excluded_checks=[positive_data_acceptance])
