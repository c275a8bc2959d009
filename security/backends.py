"""The authentication backend every login goes through (portal form, admin, DRF session)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router

from edu_portal.common.prepared import execute_prepared

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

    def get_user(self, user_id):
        """The signed-in user of a request, as ModelBackend finds it (None when gone or inactive), by one SQL
        statement: through the ORM this read of every request cost ~0.6 ms more (security.sessions)."""
        model = get_user_model()
        fields = model._meta.concrete_fields
        db = router.db_for_read(model)
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        with connections[db].cursor() as cursor:
            execute_prepared(cursor, f"SELECT {', '.join(f.column for f in fields)} FROM {model._meta.db_table}"  # noqa: S608 - the model's own columns
                           f" WHERE {model._meta.pk.column} = %s", [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = model.from_db(db, [f.attname for f in fields], row)
        return user if self.user_can_authenticate(user) else None
