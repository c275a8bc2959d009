from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Login throttling, security headers, request ids in logs, the database-outage page."""

    name = "security"
    verbose_name = "Bảo mật và vận hành"
