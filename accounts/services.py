"""Writes on users: creating users with a scope."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction

from edu_portal.common.exceptions import full_clean_or_raise

from .models import User


@transaction.atomic
def user_create(*, username: str, password: str, role: str, province_id: str | None = None,
                school_id: int | None = None, may_view_id_numbers: bool = False, full_name: str = "") -> User:
    user = User(username=username, role=role, province_id=province_id, school_id=school_id,
                may_view_id_numbers=may_view_id_numbers, first_name=full_name)
    user.set_password(password)
    full_clean_or_raise(user, exclude=["password"])
    user.save()
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose (one of settings.LANGUAGES), for their other devices."""
    if language not in dict(settings.LANGUAGES):
        return
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
