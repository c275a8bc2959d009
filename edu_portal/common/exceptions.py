"""The one exception type for errors a user can fix; views show it, the API returns it as JSON."""
from __future__ import annotations

from django.utils.translation import gettext


class AppError(Exception):
    """A user-fixable error: `code` is stable for clients, `message` is shown to people.

    `details` maps a field name to a list of messages (or carries any JSON-able detail).
    """

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", details: dict | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.details = details or {}
        if status_code is not None:
            self.status_code = status_code

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotInScope(AppError):
    """The record exists but lies outside the user's scope: answered as not found."""

    status_code = 404

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or gettext("Không tìm thấy bản ghi trong phạm vi của bạn."), code="not_found")


def validation_error_to_app_error(exc) -> AppError:
    """Turn Django's ValidationError (from full_clean) into an AppError naming the fields."""
    if hasattr(exc, "message_dict"):
        details = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        first = next(iter(details.items()))
        message = f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0]
    else:
        details = {"__all__": [str(m) for m in exc.messages]}
        message = details["__all__"][0]
    return AppError(message, code="invalid", details=details)


def full_clean_or_raise(instance, *, exclude=None) -> None:
    """Validate a model instance before writing; a ValidationError becomes an AppError."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise validation_error_to_app_error(exc) from exc
