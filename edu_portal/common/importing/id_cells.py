"""The ID-number cell of a person row (pupils, staff), the same for uploads, the API and forms.

A user who may not see full ID numbers may not type one (Scope.may_enter_id_numbers): any non-empty cell
gets the same refusal whatever it holds, and the value is shown back masked, so that neither the
answer nor the error table or file tells anything about the number.
"""
from __future__ import annotations

from edu_portal.common.identity import ID_NUMBER_NOT_ALLOWED, mask_digits

from .context import ImportContext
from .parsers import as_text, is_blank, parse_id_number


def id_number_cell(value, *, date_of_birth, gender, context: ImportContext):
    """(number or None, reason or None), as the other parse_* functions answer."""
    if is_blank(value):
        return None, None
    if not context.scope.may_enter_id_numbers:
        return None, ID_NUMBER_NOT_ALLOWED
    return parse_id_number(value, date_of_birth=date_of_birth, gender=gender)


def id_number_shown(value, context: ImportContext) -> str:
    """The cell as an error table may quote it to this user."""
    text = as_text(value)
    return text if context.scope.can_view_id_numbers else mask_digits(text)
