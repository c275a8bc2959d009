"""Request ids, security headers and the database-outage answer, through the real stack."""
import json
import logging

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

from edu_portal.common.request_id import RequestIdFilter, request_id_var
from security.middleware import DatabaseUnavailableMiddleware


def test_every_response_carries_a_request_id_and_security_headers(client):
    response = client.get("/login/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "https:" not in csp and "*" not in csp  # no other origins
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert client.get("/login/")["X-Request-ID"] != request_id


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client):
    assert client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")["X-Request-ID"] == "lb-7f3a9c21-0001"
    forged = client.get("/login/", HTTP_X_REQUEST_ID='x" level="CRITICAL')["X-Request-ID"]
    assert forged != 'x" level="CRITICAL' and len(forged) == 32


def test_log_lines_written_during_a_request_carry_its_id(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404-abcdef")
    assert response.status_code == 404
    ids = [r.request_id for r in caplog.records if r.name == "django.request"]
    assert ids == ["trace-404-abcdef"]
    assert request_id_var.get() == "-"  # reset after the request


def test_json_formatter_puts_the_request_id_on_each_line():
    from pythonjsonlogger.json import JsonFormatter

    from edu_portal.settings.base import LOGGING

    options = dict(LOGGING["formatters"]["json"])
    options.pop("()")
    formatter = JsonFormatter(fmt=options.pop("format"), **options)
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "Đã lưu %s", ("hồ sơ",), None)
    token = request_id_var.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-12345678" and line["message"] == "Đã lưu hồ sơ" and line["level"] == "INFO"


# --- database outage: a view whose query fails as it does when PostgreSQL is down -----------
# (the real outage, through gunicorn and a dropped TCP path, is in test_outage.py)

def _db_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


urlpatterns = [path("schools/", _db_down), path("api/v1/schools/", _db_down)]


@override_settings(ROOT_URLCONF=__name__)
def test_database_errors_become_a_friendly_503(client):
    response = client.get("/schools/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Hệ thống tạm thời gián đoạn" in response.content.decode()
    api = client.get("/api/v1/schools/")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["error"]["code"] == "service_unavailable"


def test_other_errors_are_left_alone(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/"), ValueError("bug")) is None


@pytest.mark.django_db
def test_login_page_shows_no_inline_script_blocks(client):
    """CSP keeps script-src 'unsafe-inline' only for inline event handlers; make sure no new
    <script> block without src sneaks into the login page (the page every visitor sees)."""
    body = client.get("/login/").content.decode()
    assert body.count("<script") == body.count("<script src=")


class SessionStoreDown:
    """Stands where SessionMiddleware saves the session: fails after the view has answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("server closed the connection unexpectedly")


@override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=[
    "security.middleware.RequestIdMiddleware",
    "security.middleware.DatabaseUnavailableMiddleware",
    f"{__name__}.SessionStoreDown",
])
def test_database_errors_outside_the_view_become_a_503_too(client):
    client.raise_request_exception = False
    response = client.get("/login-free/")
    assert response.status_code == 503 and "Hệ thống tạm thời gián đoạn" in response.content.decode()


def _ok(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


urlpatterns.append(path("login-free/", _ok))
