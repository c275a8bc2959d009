"""The ID-number cell of a person row (pupils, staff), the same for uploads, the API and forms.

A user who may not see full ID numbers may not type one (Scope.may_enter_id_numbers): any non-empty cell
gets the same refusal whatever it holds, and the value is shown back masked, so that neither the
answer nor the error table or file tells anything about the number.
"""
from __future__ import annotations

from edu_portal.common.identity import ID_NUMBER_NOT_ALLOWED, mask_digits

from .context import ImportContext
from .errors import RowError
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


# --- a batch's numbers already confirmed on other people's records ----------------------------

def id_owners(cursor, *, table: str, code_field: str, id_numbers: list[str]) -> dict[str, tuple]:
    """{number: (code, school id, province id)} of the records (pupils or staff, `table`) that hold
    these numbers confirmed (held claims do not own a number); one query per batch."""
    if not id_numbers:
        return {}
    cursor.execute(f"""SELECT p.id_number, p.{code_field}, p.school_id, sc.province_id
                       FROM {table} p JOIN schools_school sc ON sc.id = p.school_id
                       WHERE p.id_number = ANY(%s) AND p.id_number_hold = 0""", [id_numbers])  # noqa: S608 - fixed names
    return {row[0]: row[1:] for row in cursor.fetchall()}


def id_owner_error(row: dict, owners: dict, *, code_field: str, noun: str, context: ImportContext) -> RowError | None:
    """The row's number belongs to another record: said only to who could see that record's number
    anyway (accounts/scope.py may_learn_owner); anyone else gets the answer an unclaimed number
    gets, and the claim is held at commit (edu_portal/common/models.py)."""
    owner = owners.get(row["id_number"]) if row["id_number"] else None
    if owner is None or owner[0] == row[code_field] or \
            not context.scope.may_learn_owner(school_id=owner[1], province_id=owner[2]):
        return None
    return RowError("id_number", row["id_number"],
                    f"đã thuộc {noun} mã {owner[0]}; kiểm tra lại mã {noun} hoặc số định danh")
