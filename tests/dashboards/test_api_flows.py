"""/api/v1/stats/flows/ and /trends/ (issue 17): the page's figures, scoped by the token, errors as JSON."""
import pytest

from accounts.scope import Scope
from dashboards.selectors_flows import flows_summary
from dashboards.services import stats_refresh_all
from edu_portal.common.models import current_school_year
from tests.dashboards.test_api import token_client
from tests.dashboards.test_flows import random_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    schools = random_history(8)
    stats_refresh_all()
    return schools


def test_flows_are_the_pages_figures_with_their_definitions(ministry_user, history):
    api = token_client(ministry_user, Scope.country())
    body = api.get("/api/v1/stats/flows/").json()
    summary = flows_summary.uncached(scope=Scope.country(), filters={}, unit="province")
    assert body["years"] == summary.years and body["group"] == "province"
    assert [t["primary"]["dropout_pct"] for t in body["trend"]] == [summary.trend[y]["primary"]["dropout_pct"]
                                                                     for y in summary.years]
    assert {d["key"] for d in body["definitions"]} >= {"dropout_pct", "transition_pct", "survival_pct"}
    by_school = api.get("/api/v1/stats/flows/", {"group": "school", "school_year": current_school_year() - 2}).json()
    assert by_school["school_year"] == current_school_year() - 2
    assert {u["key"] for u in by_school["units"]} <= {str(s) for s in history}


def test_a_province_token_gets_its_own_and_bad_parameters_are_named(province_user, history):
    api = token_client(province_user, Scope("province", province_code="01"))
    assert api.get("/api/v1/stats/flows/", {"province": "79"}).status_code == 404
    assert api.get("/api/v1/stats/trends/", {"province": "79"}).status_code == 404
    bad = api.get("/api/v1/stats/flows/", {"gender": "X", "school": "abc"})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]) == {"gender", "school"}
    unknown = api.get("/api/v1/stats/flows/", {"levle": "primary"})
    assert unknown.status_code == 400 and "levle" in unknown.json()["error"]["details"]
    trends = api.get("/api/v1/stats/trends/").json()["results"]
    assert [r["school_year"] for r in trends] == sorted(r["school_year"] for r in trends) and trends
