"""Request ids, security headers, no-store for full ID numbers, and a friendly 503 when the
database is unreachable."""
from __future__ import annotations

import logging
import secrets
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from api.scope import request_scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.request_id import HEADER, new_request_id, request_id_var

from .lockout import client_ip

logger = logging.getLogger("security.outage")
access_logger = logging.getLogger("security.access")

RETRY_AFTER_SECONDS = 30

# Scripts: our own files plus inline code. The templates still use a few inline event handlers
# (onchange/onsubmit), which a nonce cannot allow, so 'unsafe-inline' stays in script-src until
# they are moved into static files; everything else is closed to other origins.
DEFAULT_CSP = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DEFAULT_PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                              "microphone=(), payment=(), usb=()")


class RequestIdMiddleware:
    """Outermost middleware: every log line of the request, and the response, carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.access_log = getattr(settings, "SECURITY_ACCESS_LOG", False)

    def __call__(self, request):
        request_id = new_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        # Not reset on the way out: Django logs 4xx responses after the middleware chain has
        # returned; the id is cleared when the request finishes (SecurityConfig.ready).
        request_id_var.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[HEADER] = request_id
        if self.access_log:
            access_logger.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "client_ip": client_ip(request),
                "user_id": getattr(getattr(request, "user", None), "pk", None) if hasattr(request, "_cached_user")
                else None,
            })
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django's own
    SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy and COOP).

    `request.csp_nonce` is offered for inline <script nonce="..."> blocks; a `{nonce}` in a
    directive of settings.SECURITY_CSP is replaced by it, e.g. {"script-src": "'self' {nonce}"}
    (note that browsers then ignore 'unsafe-inline', so inline event handlers stop working)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = {**DEFAULT_CSP, **getattr(settings, "SECURITY_CSP", {})}
        self.policy = policy
        self.permissions_policy = getattr(settings, "SECURITY_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            nonce = f"'nonce-{request.csp_nonce}'"
            response["Content-Security-Policy"] = "; ".join(
                f"{directive} {value.replace('{nonce}', nonce)}".strip() for directive, value in self.policy.items()
            )
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class IdNumberNoStoreMiddleware:
    """`Cache-Control: no-store` on every response that may carry full ID numbers, so that no
    browser, proxy or shared disk cache keeps a copy: every response to a user or API token whose
    scope may see full numbers, and every file download (uploaded originals and error files hold
    the numbers as they were typed, whoever asks). Other responses stay cacheable as before.

    Placed after AuthenticationMiddleware; it decides once the response is made, because DRF
    authenticates the token inside the view (it copies request.user and request.auth onto the
    Django request). Static files never reach it (whitenoise answers further out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_download(response) or may_see_full_id_numbers(request):
            response["Cache-Control"] = "no-store"
        return response


def is_download(response) -> bool:
    return isinstance(response, FileResponse) or response.get("Content-Disposition", "").startswith("attachment")


def may_see_full_id_numbers(request) -> bool:
    """The rule of the scope that served the request: the token's for token clients, the user's
    for sessions (api.scope.request_scope). In doubt (the database is gone, say), yes."""
    try:
        return request_scope(request).can_view_id_numbers
    except NotInScope:  # anonymous
        return False
    except Exception:  # noqa: BLE001 - no-store costs little, a cached full number costs much
        logging.getLogger(__name__).exception("no-store: could not tell the request's scope; not cacheable")
        return True


class DatabaseUnavailableMiddleware:
    """When PostgreSQL cannot be reached, answer 503 with a plain Vietnamese page (or the API's
    error shape under /api/) instead of a 500. Nothing to undo when the database comes back:
    Django opens a fresh connection on the next request (CONN_HEALTH_CHECKS drops dead ones)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            # Raised outside the view (a middleware saving the session, say): Django has already
            # turned it into a 500; mark_database_errors() noted the cause.
            logger.error("database unavailable (outside the view)", extra={"path": request.path})
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable: %s", exception.__class__.__name__,
                     extra={"path": request.path, "error": str(exception).strip()[:300]})
        return database_unavailable_response(request)


def mark_database_errors(sender=None, request=None, **kwargs) -> None:
    """got_request_exception receiver: note on the request that the 500 Django is about to send
    comes from an unreachable database (it runs inside Django's `except` block)."""
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, (OperationalError, InterfaceError)):
        request.database_unavailable = True


def database_unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "service_unavailable",
                       "message": "Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau ít phút.",
                       "details": {"retry_after": RETRY_AFTER_SECONDS}}},
            status=503, json_dumps_params={"ensure_ascii": False},
        )
    else:
        # Rendered without the request: context processors would query the database again.
        response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
