from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Login throttling, security headers, request ids in logs, the database-outage page."""

    name = "security"
    verbose_name = "Bảo mật và vận hành"

    def ready(self):
        from django.core.signals import got_request_exception, request_finished

        from edu_portal.common.request_id import clear_request_id

        from . import celery_context  # noqa: F401 - connects the Celery signal handlers
        from .middleware import mark_database_errors

        request_finished.connect(clear_request_id, dispatch_uid="security.clear_request_id")
        got_request_exception.connect(mark_database_errors, dispatch_uid="security.mark_database_errors")
