from django import template
from django.utils import timezone

register = template.Library()


def _separators() -> tuple[str, str]:
    from django.utils.formats import get_format

    return str(get_format("THOUSAND_SEPARATOR")), str(get_format("DECIMAL_SEPARATOR"))


def format_cell(value, seps: tuple[str, str]) -> str:
    """Counts with thousands separators, ratios with two decimals, in the active language's
    format (1.234,5 in Vietnamese); a dash for figures that do not apply."""
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


@register.simple_tag
def table_body(table, rows=None, sortable=False, sort="", kept=""):
    """The <thead>/<tbody> of a dashboard table, built in Python: a national table has thousands
    of cells and the template engine would spend most of the page's time on them."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    columns = table.columns
    wrap = set(table.wrap)
    seps = _separators()
    head = []
    for key, label in columns:
        if sortable:
            direction = "-" if sort == key else ""
            prefix = f"?{kept}&" if kept else "?"
            head.append(f'<th><a href="{escape(prefix)}sort={direction}{escape(key)}">{escape(label)}</a></th>')
        else:
            head.append(f"<th>{escape(label)}</th>")
    body = []
    for row in table.rows if rows in (None, "") else rows:
        cells = []
        for i, (key, _) in enumerate(columns):
            value = row.get(key)
            text = format_cell(value, seps) if isinstance(value, int | float) or value is None else escape(value)
            if i == 0 and row.get("url"):
                text = f'<a href="{escape(row["url"])}">{text}</a>'
            css = ' class="cell-text"' if key in wrap else ""
            cells.append(f'<td data-col="{key}"{css}>{text}</td>')
        body.append(f'<tr data-key="{escape(row.get("key", ""))}">{"".join(cells)}</tr>')
    if not body:
        empty = escape(table.empty or gettext("Chưa có số liệu."))
        body.append(f'<tr><td colspan="{len(columns)}" class="text-muted">{empty}</td></tr>')
    return mark_safe(f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody>")  # noqa: S308 - every value is escaped above


@register.simple_tag
def filter_controls(filterset, only_year=False, hide_province=False):
    """The filter form's selects, built in Python (Django's widget templates cost ~1 ms per
    select with a few dozen options; this page is on the 20 ms budget)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    form = filterset.form
    data = filterset.data
    parts = []
    for name, field in form.fields.items():
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
