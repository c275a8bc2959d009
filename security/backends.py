"""The authentication backend every login goes through (portal form, admin, DRF session)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import lockout


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that reserves each attempt before checking the password, and refuses
    locked usernames/addresses without checking it.

    PermissionDenied stops Django from trying any other backend, so a locked account cannot be
    opened by another door (e.g. the admin login page)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None  # not a password login (ModelBackend would not check anything either)
        attempt = lockout.attempt_reserve(username=username, ip=lockout.client_ip(request))
        if attempt.refused:
            raise PermissionDenied("login locked out")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.attempt_failed(attempt)
        else:
            lockout.attempt_succeeded(attempt)
        return user
