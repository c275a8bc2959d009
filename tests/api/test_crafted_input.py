"""Crafted input answers 4xx in the API's error shape, never a 500: extreme timestamps, forged
cursors, numbers beyond bigint, JSON nested 100,000 deep."""
import base64
import datetime as dt
import json

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_staff, make_student

KINDS = ("students", "staff", "schools")


def cursor(order: str, keys) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": order, "k": keys}).encode()).decode().rstrip("=")


def raw_cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


TIMESTAMPS = [
    "9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999",
    "0001-01-01", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00", "1000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z", "2026-01-01T00:00:00+99:00", "2026-01-01T00:00:00+24:00", "2026-13-45",
    "NaN", "inf", "-1", "1e308", "9" * 5000,
]
CURSORS = [
    cursor("updated_at,id", ["9999-12-31T23:59:59-14:00", 1]),
    cursor("updated_at,id", ["0001-01-01T00:00:00+14:00", 1]),
    cursor("updated_at,id", ["2026-01-01T00:00:00Z", 2**64]),
    cursor("updated_at,id", ["2026-01-01T00:00:00Z", -1]),
    cursor("updated_at,id", ["2026-01-01T00:00:00Z", 1.5]),
    cursor("updated_at,id", ["NaN", 1]),
    raw_cursor(b"[" * 100_000),
    raw_cursor(b'{"o": "updated_at,id", "k": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "A" * 10_000,
    "%%%",
]
FILTERS = [
    {"school": "99999999999999999999999"},
    {"school": str(2**63)},
    {"school": "-99999999999999999999999"},
    {"school": "1.5"},
    {"school": "1e400"},
    {"school": "NaN"},
]


def _assert_error_shape(status: int, body, *, expected=range(400, 500)) -> None:
    assert status in expected, (status, body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@pytest.fixture
def records(school_a):
    make_student(school_a)
    make_staff(school_a)


@pytest.fixture
def client(api, ministry_user, records):
    return api(ministry_user, "country", write=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", TIMESTAMPS)
def test_extreme_updated_since_is_a_400(client, kind, value):
    _assert_error_shape(*client.get(f"/{kind}/", {"updated_since": value}), expected={400})
    _assert_error_shape(*client.get(f"/{kind}/deleted/" if kind != "schools" else "/schools/",
                                    {"updated_since": value}), expected={400})


@pytest.mark.parametrize("value", CURSORS)
def test_forged_cursor_is_a_400(client, value):
    _assert_error_shape(*client.get("/students/", {"updated_since": "2026-01-01T00:00:00Z", "cursor": value}),
                        expected={400})
    _assert_error_shape(*client.get("/students/", {"cursor": value}), expected={400})


@pytest.mark.parametrize("kind", ["students", "staff"])
@pytest.mark.parametrize("params", FILTERS)
def test_numbers_beyond_bigint_in_filters_are_a_400(client, kind, params):
    status, body = client.get(f"/{kind}/", params)
    _assert_error_shape(status, body, expected={400})
    assert "school" in body["error"]["details"]


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"full_name": ' + "[" * 33 + "]" * 33 + "}",
], ids=["arrays", "objects", "just-too-deep"])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_deeply_nested_json_is_a_400(client, school_a, method, body):
    from students.models import Student

    url = "/api/v1/students/" if method == "post" else f"/api/v1/students/{Student.objects.first().pk}/"
    response = getattr(client.client, method)(url, body, content_type="application/json", headers=client.headers)
    _assert_error_shape(response.status_code, response.json(), expected={400})
    assert "sâu" in response.json()["error"]["message"]
    # Only depth is refused: brackets inside strings do not count, and a body nested a few levels
    # goes on to validation (its errors are the serializer's, not the parser's).
    status, answer = client.post("/students/", {"full_name": "[[[[" * 100, "x": [[[[1]]]]})
    assert status == 400 and "sâu" not in answer["error"]["message"]


@settings(max_examples=60)
@given(moment=st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)),
       offset_minutes=st.integers(-23 * 60 - 59, 23 * 60 + 59), naive=st.booleans())
def test_any_iso_timestamp_gives_a_page_or_a_400(client, moment, offset_minutes, naive):
    if not naive:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    status, body = client.get("/students/", {"updated_since": moment.isoformat()})
    if status == 200:
        assert set(body) == {"next", "results"}
    else:
        _assert_error_shape(status, body, expected={400})


@pytest.mark.parametrize("record", ["99999999999999999999999", str(2**63), "1.5", "-5"])
def test_audit_page_with_a_record_beyond_bigint_shows_a_form_error(ministry_user, record):
    """The HTML page shows the filter's error next to the field (the pages' way), not a 500."""
    browser = Client()
    browser.force_login(ministry_user)
    response = browser.get("/audit/", {"record": record})
    assert response.status_code == 200
    assert response.context["filter"].errors.get("record")
    # An export is refused rather than made of every event as if the filter had matched them all.
    response = browser.get("/audit/", {"record": record, "format": "csv"})
    assert response.status_code == 400
