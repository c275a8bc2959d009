"""Names the request's user and door (web, or api under /api/) for the audit triggers."""
from . import context


class AuditContextMiddleware:
    """After AuthenticationMiddleware. Costs no query unless the request writes an audited table;
    then one to name the actor before the first write and one to clear the session at the end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        before = context.pushed_state()
        token = context.set_request(request)
        try:
            return self.get_response(request)
        finally:
            context.clear(token, pushed_before=before)
