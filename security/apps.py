from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Login throttling, security headers, request ids in logs, the database-outage page."""

    name = "security"
    verbose_name = "Bảo mật và vận hành"

    def ready(self):
        from django.core.signals import request_finished

        from .request_id import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="security.clear_request_id")
        from . import celery_context  # noqa: F401 - connects the Celery signal handlers
