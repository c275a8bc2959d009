"""The authentication backend every login goes through (portal form, admin, DRF session)."""
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import lockout


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses locked usernames/addresses and counts failures.

    PermissionDenied stops Django from trying any other backend, so a locked account cannot be
    opened by another door (e.g. the admin login page)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        ip = lockout.client_ip(request)
        if lockout.lock_state(username=username, ip=ip).locked:
            raise PermissionDenied("login locked out")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.login_failed(username=username, ip=ip)
        else:
            lockout.login_succeeded(username=username)
        return user
