"""Row errors: one problem in one cell, as the upload engine stores and shows it and the API
reports it."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

# A row error is stored (the first thousand on the upload) and shown: the cell it quotes and the
# reason are cut to what a table can show, whatever the file held (a cell may be 32,767 characters).
MAX_VALUE_CHARS = 200
MAX_REASON_CHARS = 500


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell. `column` is the field key; `row` is the spreadsheet row number
    (the header is row 1), filled in by the upload engine (None for an API write)."""

    column: str
    value: str
    reason: str
    row: int | None = None

    def __post_init__(self) -> None:
        if self.value.__class__ is str and len(self.value) > MAX_VALUE_CHARS:
            object.__setattr__(self, "value", truncate(self.value, MAX_VALUE_CHARS))
        if self.reason.__class__ is str and len(self.reason) > MAX_REASON_CHARS:
            object.__setattr__(self, "reason", truncate(self.reason, MAX_REASON_CHARS))

    def message(self, header: str | None = None) -> str:
        # Sentences of the catalogue (stored in the writer's language, shown in the reader's: common/i18n.py).
        column = header or self.column
        text = (gettext("'%(value)s' %(reason)s") % {"value": self.value, "reason": self.reason}
                if self.value not in ("", None) else str(self.reason))
        if self.row:
            return gettext("Dòng %(row)s, cột %(column)s: %(text)s") % {"row": self.row, "column": column, "text": text}
        return f"{column}: {text}"
