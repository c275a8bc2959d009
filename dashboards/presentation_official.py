"""Official figures beside live ones as people read them (issue 19): a table of the selection's figures, official
(frozen at approval, for the period chosen) next to live (now) and their difference, with the coverage; and the
official columns added to the tables by unit, level and ownership. Each is exportable like any dashboard table."""
from __future__ import annotations

from django.utils.translation import gettext as _

from .official import Official, beside
from .presentation import Table
from .selectors import Summary


def official_label(official: Official) -> str:
    return _("Số liệu chính thức (đã duyệt, kỳ %(period)s)") % {"period": official.period.label}


def attach(summary: Summary, official: Official, keys: list[str], group_keys: list[str] | None = None) -> None:
    """The summary's total and group rows (those `official` has groups for) with their official figures beside:
    `keys` on the total, `group_keys` (default: the same) on the group rows (the tables by group show fewer)."""
    beside(summary.total, official.total, keys)
    group_keys = keys if group_keys is None else group_keys
    for group, rows in official.groups.items():
        for row in summary.groups.get(group, []):
            beside(row, rows.get(row["key"]), group_keys)


def official_table(*, official: Official, live: dict, figures: list[tuple[str, str]]) -> Table:
    """The selection's figures one per row: official, live, the difference; the first rows say how many schools
    the official figures cover (approved by the province; of those, accepted by the ministry)."""
    total = official.total
    rows = [{"key": "schools", "label": _("Trường (chính thức: đã được Sở duyệt; trực tiếp: đang hoạt động)"),
             "official": total.get("approved", 0), "live": live.get("schools", 0),
             "diff": live.get("schools", 0) - total.get("approved", 0)},
            {"key": "accepted", "label": _("Trường thuộc tỉnh Bộ đã tiếp nhận (số liệu đã công bố)"),
             "official": total.get("accepted", 0), "live": None, "diff": None}]
    for key, label in figures:
        rows.append({"key": key, "label": str(label), "official": live.get(f"official_{key}"), "live": live.get(key),
                     "diff": live.get(f"diff_{key}")})
    return Table("official", _("Số liệu chính thức và số liệu trực tiếp"),
                 [("label", _("Chỉ số")), ("official", official_label(official)), ("live", _("Số liệu trực tiếp")),
                  ("diff", _("Chênh lệch (trực tiếp − chính thức)"))], rows, wrap=("label",))


def official_columns(figures: list[tuple[str, str]], *, accepted: bool = True) -> list[tuple[str, str]]:
    """The columns added to a table by unit, level or ownership: the schools covered and, for each figure, its
    official value and the difference."""
    columns = [("approved", _("Trường đã duyệt"))]
    if accepted:
        columns.append(("accepted", _("Trường Bộ đã tiếp nhận")))
    for key, label in figures:
        columns += [(f"official_{key}", _("%(figure)s (chính thức)") % {"figure": label}),
                    (f"diff_{key}", _("%(figure)s: chênh lệch") % {"figure": label})]
    return columns


def coverage_text(official: Official, schools: int) -> str:
    total = official.total
    text = _("Số liệu chính thức của %(approved)s/%(schools)s trường đã được Sở duyệt; Bộ đã tiếp nhận "
             "%(accepted)s/%(schools)s.") % {"approved": total.get("approved", 0), "schools": schools,
                                              "accepted": total.get("accepted", 0)}
    if total.get("approved", 0) < schools:
        text += " " + _("Tổng chính thức chưa đầy đủ: các trường chưa được duyệt không được tính.")
    return text
