import functools
import html

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dashboards.filtersets import years_on_record
from edu_portal.common.memo import Kept
from edu_portal.common.models import current_school_year

register = template.Library()


def _separators() -> tuple[str, str]:
    from django.utils.formats import get_format

    return str(get_format("THOUSAND_SEPARATOR")), str(get_format("DECIMAL_SEPARATOR"))


def format_cell(value, seps: tuple[str, str]) -> str:
    """Counts with thousands separators, ratios with two decimals, in the active language's
    format (1.234,5 in Vietnamese); a dash for figures that do not apply."""
    kind = type(value)  # the common kinds first: a national table has thousands of cells
    if kind is int:
        return f"{value:,}".replace(",", seps[0])
    if kind is float and -999.5 < value < 999.5:  # ratios and percentages: never a thousands separator
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", seps[1])
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✔" if value else "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", seps[0])
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\0").replace(".", seps[1]).replace("\0", seps[0])
    return str(value)


@register.filter
def cell(row: dict, key: str):
    return format_cell(row.get(key), _separators())


@register.filter
def num(value):
    """A figure in the active language's number format (43.060 in Vietnamese)."""
    return format_cell(value, _separators())


@register.filter
def vn_time(value):
    """A timestamp on Vietnam time (the settings' TIME_ZONE), as the ministry reads it."""
    if not value:
        return "—"
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _escape(value) -> str:
    """django.utils.html.escape's text (html.escape of str) without its check for lazy arguments,
    which costs more than the escaping on a table of thousands of cells."""
    return html.escape(str(value))


# The texts of the floats already formatted, per pair of separators, kept by the process: the ratios are rounded
# to two decimals, so that few values recur on every page (100 %, 0 %, 50 %, ...; 1,900 in a province's tables,
# of which half repeat one another). Emptied when full.
_REAL_TEXTS: dict[tuple[str, str], dict[float, str]] = {}
_REAL_TEXTS_MAX = 65_536


def _cell_formatters(seps: tuple[str, str]):
    """format_cell, then _escape for what is not a figure, as one function per kind of value: a cell's text
    is `(kinds.get(type(value)) or other)(value)`, one lookup and one call for the common kinds."""
    thousands, decimal = seps
    escape = html.escape

    def other(value) -> str:  # bools, lazy texts, numbers of other types: as format_cell or _escape do
        if isinstance(value, int | float) or value is None:
            return format_cell(value, seps)
        return escape(str(value))

    texts = _REAL_TEXTS.setdefault(seps, {})
    if len(texts) >= _REAL_TEXTS_MAX:
        texts.clear()

    def real(value: float) -> str:
        text = texts.get(value)
        if text is None:
            if -999.5 < value < 999.5:  # ratios and percentages (format_cell's own test)
                # The same text as f"{value:.2f}", a third faster.
                text = ("%.2f" % value).rstrip("0").rstrip(".").replace(".", decimal)  # noqa: UP031
            else:
                text = format_cell(value, seps)
            if value:  # not 0.0, equal to -0.0 as a key and not the same text ("0", "-0")
                texts[value] = text
        return text

    kinds = {int: lambda value: f"{value:,}".replace(",", thousands), str: escape, float: real,
             type(None): lambda value: "—"}
    return kinds, other


@register.simple_tag
def table_body(table, rows=None, sortable=False, sort="", kept=""):
    """The <thead>/<tbody> of a dashboard table, built in Python: a national table has thousands
    of cells and the template engine would spend most of the page's time on them. Built column by
    column (one comprehension each: a province's facilities table has 3,000 cells)."""
    columns = table.columns
    wrap = set(table.wrap)
    escape = html.escape
    head = []
    for key, label in columns:
        if sortable:
            direction = "-" if sort == key else ""
            prefix = f"?{kept}&" if kept else "?"
            head.append(f'<th><a href="{_escape(prefix)}sort={direction}{_escape(key)}">{_escape(label)}</a></th>')
        else:
            head.append(f"<th>{_escape(label)}</th>")
    rows = table.rows if rows in (None, "") else rows
    kinds, other = _cell_formatters(_separators())
    kind = kinds.get
    texts_by_column = []
    for i, (key, _label) in enumerate(columns):
        texts = [(kind(type(value)) or other)(value) for value in [row.get(key) for row in rows]]
        if i == 0:  # the first column may carry the row's link
            texts = [f'<a href="{escape(str(url))}">{text}</a>' if (url := row.get("url")) else text
                     for text, row in zip(texts, rows, strict=True)]
        texts_by_column.append(texts)
    # A row is one %-formatting of the table's row pattern (its <td>s, long texts wrapping at 390 px:
    # `table.wrap`), not a string per cell joined: a few per cent of a province's 3,000-cell table.
    cells = "".join(f'<td data-col="{key.replace("%", "%%")}"' + (' class="cell-text">' if key in wrap else ">")
                    + "%s</td>" for key, _label in columns)
    pattern = f'<tr data-key="%s">{cells}</tr>'
    keys = [key if type(key := row.get("key", "")) is int else _escape(key) for row in rows]
    body = [pattern % (key, *cells) for key, cells in zip(keys, zip(*texts_by_column, strict=True), strict=True)]
    if not body:
        empty = _escape(table.empty or gettext("Chưa có số liệu."))
        body.append(f'<tr><td colspan="{len(columns)}" class="text-muted">{empty}</td></tr>')
    return mark_safe(f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody>")  # noqa: S308 - every value is escaped above


@register.simple_tag(takes_context=True)
def table_card(context, table, chart_id="", sortable=False, limit=False):
    """A dashboard table's card (title, export links, chart data, table), built in Python: a page has
    five of them, and as an included template each cost about as much as its rows (issue 17). The
    query, sort and kept filters come from the page's context, as they did for the template."""
    name, title = conditional_escape(table.name), conditional_escape(table.title)
    query = conditional_escape(context.get("query", ""))
    amp = "&" if query else ""
    chart = ""
    if table.chart and table.rows:
        height = "260px" if table.chart.get("type") == "doughnut" else "300px"
        chart = (f'\n    <div style="position: relative; height: {height}" class="mb-2">\n'
                 f'      <canvas data-chart="chart-{name}" aria-label="{title}"></canvas>\n'
                 f"    </div>\n    {json_script(table.chart, chart_id or None)}\n    ")
    style = ' style="max-height: 480px; overflow-y: auto"' if limit else " "  # the space the template left
    body = table_body(table, context.get("rows", ""), sortable, context.get("sort", ""), context.get("kept", ""))
    return mark_safe(  # noqa: S308 - every value is escaped above, the chart's data by json_script
        f'<div class="card mb-3" data-testid="table-{name}">\n'
        '  <div class="card-header d-flex justify-content-between align-items-center">\n'
        f'    <span class="fw-semibold">{title}</span>\n'
        '    <span class="small">\n'
        f'      <a href="?{query}{amp}export=csv&table={name}" data-testid="export-csv-{name}">CSV</a> ·\n'
        f'      <a href="?{query}{amp}export=xlsx&table={name}" data-testid="export-xlsx-{name}">Excel</a>\n'
        "    </span>\n"
        "  </div>\n"
        '  <div class="card-body">\n'
        f"    {chart}\n"
        f'    <div class="table-scroll"{style}>\n'
        '    <table class="table table-sm table-striped mb-0">\n'
        f"      {body}\n"
        "    </table>\n"
        "    </div>\n"
        "  </div>\n"
        "</div>")


# The facilities page's cards shown half wide (two side by side on a wide screen); the others take the row.
_HALF_WIDTH = frozenset({"fac_by_level", "fac_by_ownership", "fac_counts", "fac_school_standard"})
_PAGED = frozenset({"fac_standard_met", "fac_standard_unmet"})


@register.simple_tag(takes_context=True)
def facilities_cards(context, tables, pagers=None):
    """The facilities page's cards (all its tables but the official one, which the header shows), each with its
    pager when it is a standing list. Built here: the template's loop and its conditions over eight tables cost the
    province's page ~0.3 ms (a profile of the page, issue 18)."""
    pagers = pagers or {}
    parts = []
    for table in tables:
        if table.name == "official":
            continue
        width = "col-xl-6" if table.name in _HALF_WIDTH else "col-12"
        pager = conditional_escape(pagers.get(table.name, "")) if table.name in _PAGED else ""
        card = table_card(context, table, f"chart-{table.name}", False, True)
        parts.append(f'\n  <div class="{width}" id="{conditional_escape(table.name)}">\n{card}\n{pager}\n</div>\n')
    return mark_safe("".join(parts))  # noqa: S308 - the cards are built escaped, the rest is escaped here


_CONTROLS: Kept[str] = Kept()  # filter_controls' HTML by what it depends on


@register.simple_tag
def filter_controls(filterset, only_year=False, hide_province=False):
    """The filter form's selects, built in Python (Django's widget templates cost ~1 ms per
    select with a few dozen options; this page is on the 20 ms budget). Kept by each process for the values
    chosen, the language and the years offered (the only choices that change: the provinces are read once per
    process, the levels and ownerships are constants): building them cost every dashboard page ~0.3 ms."""
    data = filterset.data
    values = tuple((name, str(data.get(name) or "")) for name in filterset.filters)
    key = (type(filterset), get_language(), bool(only_year), bool(hide_province), values, years_on_record(),
           current_school_year())
    return _CONTROLS.get(key, lambda: _controls(filterset, only_year, hide_province))


def _controls(filterset, only_year, hide_province):
    escape = _escape
    data = filterset.data
    parts = []
    # The filters' own fields: the form's are deep copies of them (building the form only to read
    # labels and choices cost more than the selects).
    for name, filter_ in filterset.filters.items():
        field = filter_.field
        value = str(data.get(name) or "")
        if (only_year and name != "school_year") or (hide_province and name == "province"):
            continue
        if not hasattr(field, "choices"):
            if value:
                parts.append(f'<input type="hidden" name="{name}" value="{escape(value)}">')
            continue
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) == value else ""}>{escape(label)}</option>'
            for v, label in field.choices)
        parts.append(f'<div class="col-auto"><label class="form-label small mb-0" for="id_{name}">{escape(field.label)}'
                     f'</label><select name="{name}" id="id_{name}" class="form-select form-select-sm">{options}'
                     f"</select></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


# The dashboards' tabs: (url name, label, is it the current page's tab, which query the link keeps, extra attributes).
# The overview's tab stands for the area pages too (and for a page without a name, as the template had it).
_TABS = (
    ("dashboards:overview", _("Tổng quan"), lambda on: on in ("", "overview", "province", "commune", "school"),
     "kept", ""),
    ("dashboards:indicators", _("Các chỉ số"), lambda on: on == "indicators", "indicator", ""),
    ("dashboards:completeness", _("Mức độ đầy đủ dữ liệu"), lambda on: on == "completeness", "indicator", ""),
    ("dashboards:trends", _("Xu hướng và luồng học sinh"), lambda on: on == "trends", "indicator", ""),
    ("dashboards:facilities", _("Cơ sở vật chất"), lambda on: on.startswith("facilities"), "kept",
     ' data-testid="tab-facilities"'),
)


@functools.cache
def _tab_url(url_name: str, prefix: str) -> str:
    return reverse(url_name)  # the URLconf does not change while the process runs: once per script prefix


@register.simple_tag(takes_context=True)
def dashboard_tabs(context) -> str:
    """The dashboards' tabs, the current one marked (its look and aria-current for screen readers, issue 21); each
    link keeps the page's filters (the indicator pages': `indicator_query` when the page has one). Built here: five
    {% url %} and their conditions cost every dashboard page ~0.2 ms as a template."""
    match = getattr(context.get("request"), "resolver_match", None)
    on = (getattr(match, "url_name", None) or "")
    kept = conditional_escape(context.get("kept") or "")
    queries = {"kept": kept, "indicator": conditional_escape(context.get("indicator_query") or "") or kept}
    prefix = get_script_prefix()
    items = []
    for url_name, label, current, query, extra in _TABS:
        active = ' active" aria-current="page' if current(on) else ""
        items.append(f'  <li class="nav-item"><a class="nav-link{active}" href="{_tab_url(url_name, prefix)}?'
                     f'{queries[query]}"{extra}>{conditional_escape(label)}</a></li>\n')
    return mark_safe(f'<ul class="nav nav-tabs mb-3">\n{"".join(items)}</ul>')  # noqa: S308 - every value is escaped
