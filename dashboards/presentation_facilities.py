"""The facilities dashboard as people read it: the indicators per unit, level and ownership, the counts behind
them, the years, a province's schools by their standing, and the definitions beside them; each a table
(exportable) with its chart."""
from __future__ import annotations

import functools

from django.core.paginator import Paginator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import school_year_label
from facilities.standard import Standing

from .indicators_facilities import DEFINITIONS
from .metrics import BY_NAME
from .presentation import Table
from .selectors import Summary
from .selectors_facilities import StandardList, criterion_labels, unmet_text

INDICATOR_COLUMNS = [
    ("fac_schools", _("Trường có số liệu")), ("fac_sites", _("Điểm trường")), ("fac_pupils", _("Học sinh")),
    ("fac_classes", _("Số lớp")), ("fac_classrooms", _("Phòng học")),
    ("classrooms_per_class", _("Phòng học/lớp")), ("solid_pct", _("Phòng kiên cố (%)")),
    ("pupils_per_toilet", _("HS/nhà vệ sinh")), ("toilets_standard_pct", _("Nhà vệ sinh đạt chuẩn (%)")),
    ("water_pct", _("Có nước sạch (%)")), ("power_pct", _("Có điện (%)")), ("internet_pct", _("Có internet (%)")),
    ("pupils_per_computer", _("HS/máy tính")), ("equipment_pct", _("Thiết bị đầy đủ (%)")),
    ("standard_1_pct", _("Đạt chuẩn mức 1 (%)")), ("standard_2_pct", _("Đạt chuẩn mức 2 (%)")),
]
UNIT_TITLES = {"province": _("Tỉnh/thành phố"), "commune": _("Xã/phường"), "school": _("Trường")}
COUNT_METRICS = ["fac_schools", "fac_sites", "fac_sites_water", "fac_sites_power", "fac_sites_internet", "fac_pupils",
                 "fac_classes", "fac_classrooms", "fac_classrooms_solid", "fac_classrooms_semi_solid",
                 "fac_classrooms_temporary", "fac_classrooms_borrowed", "fac_toilets", "fac_toilets_standard",
                 "fac_computers_pupils", "fac_computers_teaching", "fac_equipment_required", "fac_equipment_present",
                 "fac_std_assessed", "fac_std_level_1", "fac_std_level_2"]
ROOM_TYPES = ["fac_classrooms_solid", "fac_classrooms_semi_solid", "fac_classrooms_temporary",
              "fac_classrooms_borrowed"]


def _chart(rows: list[dict], label_key: str, series: list[tuple[str, str]], kind: str = "bar") -> dict:
    return {"type": kind, "labels": [str(r[label_key]) for r in rows],
            "datasets": [{"label": str(label), "data": [r.get(key) for r in rows]} for key, label in series]}


@functools.cache
def _texts(language: str | None) -> dict:
    """The facilities tables' fixed texts in a language, translated once per language and process: looked up on
    every page they were some sixty of the province's page's translations (~3 µs each, issue 18). Not to be changed."""
    return {"indicators": [(key, str(label)) for key, label in INDICATOR_COLUMNS],
            "units": {unit: str(title) for unit, title in UNIT_TITLES.items()},
            "counts": {m: str(BY_NAME[m].label) for m in COUNT_METRICS},
            "total": str(_("Tổng")), "group": str(_("Nhóm")), "count_label": str(_("Số liệu")),
            "count": str(_("Số lượng")), "rooms": str(_("Phòng học")), "solid": str(_("Phòng kiên cố (%)")),
            "standard_1": str(_("Đạt chuẩn mức 1 (%)")), "internet": str(_("Có internet (%)")),
            "equipment": str(_("Thiết bị đầy đủ (%)"))}


def facilities_tables(summary: Summary, unit: str | None, trend: list[dict]) -> list[Table]:
    """The tables of a facilities page: per unit (when the page has units), per level and ownership, the counts,
    the years and the definitions."""
    texts = _texts(get_language())
    total = {"name": texts["total"], **summary.total}
    indicators = texts["indicators"]
    tables = []
    if unit:
        units = summary.groups[unit]
        unit_title = texts["units"][unit]
        tables.append(Table("fac_units", _("Chỉ số cơ sở vật chất theo %(unit)s") % {"unit": unit_title.lower()},
                            [("name", unit_title), *indicators], units + [total],
                            _chart(units, "name", [("solid_pct", texts["solid"]),
                                                   ("standard_1_pct", texts["standard_1"])])))
    for group, title in (("level", _("Theo cấp học")), ("ownership", _("Theo loại hình"))):
        rows = summary.groups[group]
        tables.append(Table(f"fac_by_{group}", title, [("name", texts["group"]), *indicators], rows + [total],
                            _chart(rows, "name", [("internet_pct", texts["internet"]),
                                                  ("equipment_pct", texts["equipment"])])))
    labels = texts["counts"]
    counts = [{"key": m, "label": labels[m], "count": summary.total.get(m, 0)} for m in COUNT_METRICS]
    rooms = [r for r in counts if r["key"] in ROOM_TYPES]
    tables.append(Table("fac_counts", _("Số liệu cơ sở vật chất"), [("label", texts["count_label"]),
                                                                     ("count", texts["count"])],
                        counts, _chart(rooms, "label", [("count", texts["rooms"])], "doughnut")))
    tables.append(trend_table(trend, indicators))
    tables.append(definitions_table())
    return tables


def trend_table(rows: list[dict], indicators: list | None = None) -> Table:
    for row in rows:
        row["year"] = school_year_label(row["school_year"])
    return Table("fac_trend", _("Chỉ số cơ sở vật chất qua các năm học"),
                 [("year", _("Năm học")), *(indicators or INDICATOR_COLUMNS)],
                 rows, _chart(rows, "year", [("solid_pct", _("Phòng kiên cố (%)")),
                                             ("internet_pct", _("Có internet (%)")),
                                             ("equipment_pct", _("Thiết bị đầy đủ (%)")),
                                             ("standard_1_pct", _("Đạt chuẩn mức 1 (%)"))], "line"))


@functools.cache
def _definition_rows(language: str | None) -> tuple[dict, ...]:
    """The definitions in a language, translated once per process (eighty labels a page otherwise)."""
    return tuple({"key": d.key, "label": str(d.label), "formula": str(d.formula), "numerator": str(d.numerator),
                  "denominator": str(d.denominator), "source": str(d.source)} for d in DEFINITIONS)


def definitions_table() -> Table:
    rows = [dict(row) for row in _definition_rows(get_language())]
    return Table("fac_definitions", _("Định nghĩa các chỉ số cơ sở vật chất"),
                 [("label", _("Chỉ số")), ("formula", _("Công thức")), ("numerator", _("Tử số")),
                  ("denominator", _("Mẫu số")), ("source", _("Nguồn"))], rows,
                 wrap=("formula", "numerator", "denominator", "source"))


def standard_tables(standards: StandardList) -> list[Table]:
    """A province's (or commune's) schools meeting level 1 and the others, with what they lack (in the reader's
    language: the selector gives codes)."""
    # Translated once for the list: each lazy label would be translated again in every row it shows in.
    standings = {code: str(label) for code, label in Standing.LABELS.items()}
    criteria = criterion_labels()
    for row in standards.met + standards.unmet:
        row.update(standing=standings[row["standing"]], lacks_1=unmet_text(row["unmet"], 1, criteria),
                   lacks_2=unmet_text(row["unmet"], 2, criteria))
    # What a school lacks next to its name: on a phone the columns after it are a scroll away.
    columns = [("name", _("Trường")), ("standing", _("Mức đạt chuẩn"))]
    after = [("code", _("Mã trường")), ("commune", _("Xã/phường"))]
    return [
        Table("fac_standard_met", ngettext("Trường đạt chuẩn cơ sở vật chất mức độ 1 trở lên (%(n)s trường)",
                                           "Trường đạt chuẩn cơ sở vật chất mức độ 1 trở lên (%(n)s trường)",
                                           standards.met_count) % {"n": standards.met_count},
              [*columns, ("lacks_2", _("Tiêu chí mức độ 2 chưa đạt (số còn thiếu)")), *after], standards.met,
              wrap=("lacks_2",), empty=_("Chưa có trường nào đạt chuẩn mức độ 1.")),
        Table("fac_standard_unmet", ngettext("Trường chưa đạt chuẩn mức độ 1 và các tiêu chí còn thiếu (%(n)s trường)",
                                             "Trường chưa đạt chuẩn mức độ 1 và các tiêu chí còn thiếu (%(n)s trường)",
                                             standards.unmet_count) % {"n": standards.unmet_count},
              [*columns, ("lacks_1", _("Tiêu chí mức độ 1 chưa đạt (số còn thiếu)")), *after], standards.unmet,
              wrap=("lacks_1",), empty=_("Không có trường nào chưa đạt chuẩn mức độ 1.")),
    ]


def standard_pager(query, key: str, count: int, size: int, number: int, anchor: str) -> str:
    """The numbered links to the pages of a standing list (`key`: its page parameter, the rest of the query
    kept), the far pages elided; nothing when it fits one page. Built here, not by a loop in the template:
    the page's template would run it for each of its eight tables."""
    paginator = Paginator(range(count), size)
    if paginator.num_pages < 2:
        return ""
    query = query.copy()
    for k in ("export", "table"):
        query.pop(k, None)
    items = []
    for n in paginator.get_elided_page_range(min(number, paginator.num_pages), on_each_side=2, on_ends=1):
        # The page numbers are ints, the gaps Paginator.ELLIPSIS (a lazy text: comparing a number with it translates it).
        if type(n) is not int:
            items.append(format_html('<li class="page-item disabled"><span class="page-link">{}</span></li>', n))
        elif n == number:
            items.append(format_html('<li class="page-item active"><span class="page-link" aria-current="page">{}'
                                     "</span></li>", n))
        else:
            query[key] = n
            items.append(format_html('<li class="page-item"><a class="page-link" href="?{}#{}">{}</a></li>',
                                     query.urlencode(), anchor, n))
    return format_html('<nav aria-label="{}" class="mb-3 mt-n2" data-testid="pager-{}"><ul class="pagination '
                       'pagination-sm flex-wrap mb-0">{}</ul></nav>', gettext("Trang của danh sách"), anchor,
                       mark_safe("".join(items)))  # noqa: S308 - each item built by format_html


def school_standing_table(standing: dict | None) -> Table:
    rows = [{"label": u["label"], "level": u["level"], "missing": u["missing"]} for u in (standing or {}).get("unmet", [])]
    title = _("Mức đạt chuẩn theo Thông tư 13/2020: %(label)s") % {
        "label": standing["label"] if standing else _("chưa có số liệu cơ sở vật chất của năm học")}
    empty = _("Đạt mọi tiêu chí của cả hai mức độ.") if standing and standing["standing"] == Standing.LEVEL_2 else None
    return Table("fac_school_standard", title,
                 [("label", _("Tiêu chí chưa đạt")), ("level", _("Mức độ")), ("missing", _("Số còn thiếu"))], rows,
                 wrap=("label",), empty=empty)
