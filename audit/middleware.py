"""Names the request's user and door (web, or api under /api/) for the audit triggers."""
from django.db import DatabaseError

from . import context

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class AuditContextMiddleware:
    """After AuthenticationMiddleware. A GET costs no query unless it writes an audited table; a
    write costs one query to name the actor and one to clear the session at the end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        before = context.pushed_state()
        token = context.set_request(request)
        try:
            if request.method not in SAFE_METHODS and not request.path.startswith("/api/"):
                # A form post may write through a raw cursor, which the wrapper does not see.
                # (API requests: the token's user is known only inside the view; pushed lazily.)
                try:
                    context.ensure_pushed()
                except DatabaseError:
                    pass  # the view meets the outage too, and answers 503 (security middleware)
            return self.get_response(request)
        finally:
            context.clear(token, pushed_before=before)
