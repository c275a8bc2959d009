"""Intake without an ID number (issue 16): a pupil may be enrolled without số định danh cá nhân only
with a reason, the same rule at every door (form, API, upload; students.services and the pupils'
importer call these). Grade-1 and preschool intakes often have no number yet; the to-do list shows
them with the reason, and adding the number sends the record to verification like any identity edit.

A user who may not type ID numbers (accounts.scope: may_enter_id_numbers) leaves every number blank
by rule, so for them the reason is optional: a blank number says nothing about the child."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from edu_portal.common.search import fold_name

from .models import IdNumberMissingReason

REASON_REQUIRED = _("bắt buộc khi để trống số định danh: chọn Chưa có số định danh (trẻ mới sinh / chưa làm "
                    "thủ tục), Đang chờ cấp, Người nước ngoài, hoặc ghi lý do khác")
NOTE_REQUIRED = _("ghi rõ lý do khác")
NOTE_MAX = 200


def _key(text: str) -> str:
    """Case, diacritics and spacing ignored: "dang cho cap" is "Đang chờ cấp"."""
    return fold_name(text)


_SHORT = {"chua co": IdNumberMissingReason.NOT_ISSUED, "chua co so dinh danh": IdNumberMissingReason.NOT_ISSUED,
          "tre moi sinh": IdNumberMissingReason.NOT_ISSUED, "chua lam thu tuc": IdNumberMissingReason.NOT_ISSUED,
          "cho cap": IdNumberMissingReason.PENDING, "nuoc ngoai": IdNumberMissingReason.FOREIGNER,
          "khac": IdNumberMissingReason.OTHER, "ly do khac": IdNumberMissingReason.OTHER}
_BY_KEY = {**_SHORT, **{_key(str(r.label)): r for r in IdNumberMissingReason},
           **{r.value: r for r in IdNumberMissingReason}}


def missing_reason_parse(value, note=None) -> tuple[str, str]:
    """(reason code, note) from a cell or a field: a code, a label (with or without diacritics), or
    "khác: ..." / any other text, which is the "other" reason with that text as its note. `note` is
    the form's and the API's separate note field."""
    text = " ".join(str(value or "").split())
    note = " ".join(str(note or "").split())
    if not text:
        return "", note
    found = _BY_KEY.get(_key(text))
    if found is not None:
        return found.value, note if found == IdNumberMissingReason.OTHER else ""
    head, sep, rest = text.partition(":")
    if sep and _BY_KEY.get(_key(head)) == IdNumberMissingReason.OTHER:
        return IdNumberMissingReason.OTHER.value, rest.strip() or note
    return IdNumberMissingReason.OTHER.value, text


def missing_reason_errors(*, id_number: str | None, reason: str, note: str, required: bool) -> list[str]:
    """What is wrong with the reason of a record whose number is `id_number` (none: the reason is
    needed when `required`, i.e. the user may type numbers and the record is new or loses its number)."""
    if id_number:
        return []
    if not reason:
        return [str(REASON_REQUIRED)] if required else []
    if reason == IdNumberMissingReason.OTHER and not note:
        return [str(NOTE_REQUIRED)]
    if len(note) > NOTE_MAX:
        return [f"tối đa {NOTE_MAX} ký tự"]
    return []


def missing_reason_label(reason: str, note: str) -> str:
    """The reason in words, as the to-do list shows it."""
    if not reason:
        return ""
    if reason == IdNumberMissingReason.OTHER and note:
        return note
    return str(IdNumberMissingReason(reason).label)
