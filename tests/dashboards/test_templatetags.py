"""The dashboards' HTML built in Python (issue 17: a national page has thousands of cells): the same
text the general formatting and the card template gave."""
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from dashboards.filtersets import FlowStatsFilterSet, SchoolStatsFilterSet
from dashboards.presentation import Table
from dashboards.templatetags.dashboards import filter_controls, format_cell, table_body, table_card

SEPARATORS = [(".", ","), (",", ".")]  # Vietnamese, English


def general_format(value, seps):
    """The formatting before the fast paths: thousands separators, two decimals, a dash for None."""
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


@given(value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                       st.floats(min_value=-1100, max_value=1100),
                       st.decimals(min_value=-1000, max_value=1000, places=3).map(float)),
       seps=st.sampled_from(SEPARATORS))
def test_cells_are_formatted_as_before(value, seps):
    assert format_cell(value, seps) == general_format(value, seps)


@pytest.mark.parametrize("value", [999.49, 999.494, 999.495, 999.5, 999.994, 999.995, -999.995, 1000.0, 0.005, -0.0])
def test_ratios_at_the_thousands_boundary(value):
    for seps in SEPARATORS:
        assert format_cell(value, seps) == general_format(value, seps)


# dashboards/_table.html as it was before the card became a tag: the tag must give the same HTML.
CARD_TEMPLATE = """{% load i18n dashboards %}
<div class="card mb-3" data-testid="table-{{ table.name }}">
  <div class="card-header d-flex justify-content-between align-items-center">
    <span class="fw-semibold">{{ table.title }}</span>
    <span class="small">
      <a href="?{{ query }}{% if query %}&{% endif %}export=csv&table={{ table.name }}" data-testid="export-csv-{{ table.name }}">CSV</a> ·
      <a href="?{{ query }}{% if query %}&{% endif %}export=xlsx&table={{ table.name }}" data-testid="export-xlsx-{{ table.name }}">Excel</a>
    </span>
  </div>
  <div class="card-body">
    {% if table.chart and table.rows %}
    <div style="position: relative; height: {% if table.chart.type == 'doughnut' %}260px{% else %}300px{% endif %}" class="mb-2">
      <canvas data-chart="chart-{{ table.name }}" aria-label="{{ table.title }}"></canvas>
    </div>
    {{ table.chart|json_script:chart_id }}
    {% endif %}
    <div class="table-scroll" {% if limit %}style="max-height: 480px; overflow-y: auto"{% endif %}>
    <table class="table table-sm table-striped mb-0">
      {% table_body table rows sortable sort kept %}
    </table>
    </div>
  </div>
</div>
"""


def _table(chart_type="bar", rows=None):
    rows = [{"key": "26734", "name": "Phường Sài Gòn <&>", "url": "/dashboards/communes/26734/?level=a&b",
             "pupils": 12345, "staff": 678, "verified_pct": 99.5, "pupils_per_teacher": None},
            {"key": "26737", "name": "Phường Tân Định", "pupils": 0, "staff": 1_234_567, "verified_pct": 1234.567,
             "pupils_per_teacher": 18.25}] if rows is None else rows
    return Table("units", 'Theo xã "phường" <b>', [("name", "Xã/phường"), ("pupils", "Học sinh"), ("staff", "CB, GV"),
                                                   ("verified_pct", "% xác thực"), ("pupils_per_teacher", "HS/GV")],
                 rows, {"type": chart_type, "labels": [r["name"] for r in rows],
                        "datasets": [{"label": "Học sinh", "data": [r["pupils"] for r in rows]}]})


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("case", [
    {"chart_id": "chart-units", "sortable": True, "limit": True, "query": "level=primary&sort=-pupils",
     "sort": "-pupils", "kept": "level=primary"},
    {"chart_id": "chart-units", "table": _table("doughnut")},
    {"chart_id": "", "rows": [{"key": "1", "name": "Trường A (01)", "pupils": 3}]},  # the completeness page
    {"table": _table(rows=[])},  # no rows: no chart, "no figures yet"
    {"table": Table("plain", "Không biểu đồ", [("label", "Phân loại"), ("count", "Số lượng")],
                    [{"label": "Tốt", "count": 3}])},
])
def test_the_card_tag_gives_the_card_template_html(case, language):
    context = {"table": _table(), "query": "", "sort": "", "kept": ""} | case
    with translation.override(language):
        expected = Template(CARD_TEMPLATE).render(Context(context))
        # What dashboards/_table.html renders now (included by the other pages), and the tag itself.
        included = Template('{% include "dashboards/_table.html" %}').render(Context(context))
        direct = table_card(Context(context), context["table"], context.get("chart_id", ""),
                            context.get("sortable", False), context.get("limit", False))
    assert included == expected
    assert "\n" + direct + "\n" == expected


def controls_from_the_form(filterset, only_year=False, hide_province=False):
    """filter_controls as it was, reading the labels and choices from the filter set's form."""
    parts = []
    for name, field in filterset.form.fields.items():
        value = str(filterset.data.get(name) or "")
        if (only_year and name != "school_year") or (hide_province and name == "province"):
            continue
        if not hasattr(field, "choices"):
            if value:
                parts.append(f'<input type="hidden" name="{name}" value="{escape(value)}">')
            continue
        options = "".join(f'<option value="{escape(v)}"{" selected" if str(v) == value else ""}>{escape(label)}</option>'
                          for v, label in field.choices)
        parts.append(f'<div class="col-auto"><label class="form-label small mb-0" for="id_{name}">{escape(field.label)}'
                     f'</label><select name="{name}" id="id_{name}" class="form-select form-select-sm">{options}'
                     f"</select></div>")
    return "".join(parts)


@pytest.mark.parametrize("filterset_class", [SchoolStatsFilterSet, FlowStatsFilterSet])
@pytest.mark.parametrize("data", [{}, {"province": "79", "level": "primary", "commune": "26734"},
                                  {"ownership": "private", "gender": "F", "school": "12", "school_year": "2025"}])
@pytest.mark.parametrize("flags", [(False, False), (True, False), (False, True)])
def test_the_filter_selects_are_those_of_the_form(db, filterset_class, data, flags):
    for language in ("vi", "en", "vi"):  # the second time in Vietnamese as kept by the process
        with translation.override(language):
            assert filter_controls(filterset_class(QueryDict(urlencode(data))), *flags) == (
                controls_from_the_form(filterset_class(QueryDict(urlencode(data))), *flags))


def test_the_filter_selects_offer_a_year_as_soon_as_it_has_statistics(db, monkeypatch):
    from dashboards import filtersets

    year = filtersets.current_school_year()
    before = filter_controls(SchoolStatsFilterSet(QueryDict("")))
    assert f'value="{year - 3}"' not in before
    monkeypatch.setattr(filtersets, "_YEARS", {"version": filtersets.stats_version(), "years": (year - 3, year)})
    after = filter_controls(SchoolStatsFilterSet(QueryDict("")))
    assert f'value="{year - 3}"' in after and after == controls_from_the_form(SchoolStatsFilterSet(QueryDict("")))


def reference_body(table, seps):
    """table_body's <tbody> as it was built cell by cell: figures as general_format, the rest escaped,
    the first cell linked to the row's url."""
    rows = []
    for row in table.rows:
        cells = []
        for i, (key, _label) in enumerate(table.columns):
            value = row.get(key)
            text = general_format(value, seps) if isinstance(value, int | float) or value is None else escape(str(value))
            if i == 0 and row.get("url"):
                text = f'<a href="{escape(row["url"])}">{text}</a>'
            td = f'<td data-col="{key}"' + (' class="cell-text">' if key in table.wrap else ">")
            cells.append(f"{td}{text}</td>")
        key = row.get("key", "")
        rows.append(f'<tr data-key="{key if type(key) is int else escape(key)}">{"".join(cells)}</tr>')
    return "".join(rows)


CELL_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.floats(min_value=-1100, max_value=1100), st.text(max_size=8),
                        st.decimals(allow_nan=False, places=2), st.sampled_from(["<b>&\"'", "Phường Sài Gòn"]))


@given(rows=st.lists(st.fixed_dictionaries({"name": CELL_VALUES, "count": CELL_VALUES, "note": CELL_VALUES},
                                           optional={"key": st.one_of(st.integers(), st.text(max_size=5)),
                                                     "url": st.sampled_from(["", "/a/?x=1&y=<2>"])}),
                     max_size=6),
       language=st.sampled_from(["vi", "en"]))
def test_the_table_body_built_by_column_gives_each_cell_as_before(rows, language):
    """table_body builds its cells column by column (a province's facilities table has 3,000 of them): every
    kind of value gives the text it gave cell by cell."""
    table = Table("t", "T", [("name", "Tên"), ("count", "Số"), ("note", "Ghi chú")], rows, wrap=("note",))
    with translation.override(language):
        seps = SEPARATORS[0] if language == "vi" else SEPARATORS[1]
        html = table_body(table)
        empty = escape(translation.gettext("Chưa có số liệu."))
    body = html.split("<tbody>", 1)[1].removesuffix("</tbody>")
    assert body == (reference_body(table, seps) if rows else f'<tr><td colspan="3" class="text-muted">{empty}</td></tr>')


# The facilities page's cards as its template laid them out before facilities_cards (issue 18).
CARDS_AS_A_LOOP = """{% load dashboards %}{% for table in tables %}{% if table.name != "official" %}
  <div class="{% if table.name == 'fac_by_level' or table.name == 'fac_by_ownership' or table.name == 'fac_counts' or table.name == 'fac_school_standard' %}col-xl-6{% else %}col-12{% endif %}" id="{{ table.name }}">
{% table_card table "chart-"|add:table.name False True %}
{% if table.name == "fac_standard_met" %}{{ pagers.fac_standard_met }}{% elif table.name == "fac_standard_unmet" %}{{ pagers.fac_standard_unmet }}{% endif %}
</div>
{% endif %}{% endfor %}"""


@pytest.mark.parametrize("pagers", [None, {"fac_standard_met": mark_safe('<nav data-testid="pager">1</nav>'),
                                           "fac_standard_unmet": "<b>not safe</b>", "fac_units": "not shown"}])
def test_the_facilities_cards_are_those_of_the_templates_loop(pagers):
    rows = [{"key": "79", "name": "Hồ Chí Minh", "solid_pct": 12.5, "url": "/x/?a=1&b=2"}]
    chart = {"type": "bar", "labels": ["Hồ Chí Minh"], "datasets": [{"label": "%", "data": [12.5]}]}
    tables = [Table(name, f"{name} <title>", [("name", "Tên"), ("solid_pct", "Kiên cố (%)")], rows,
                    chart if name in ("fac_units", "fac_by_level") else None)
              for name in ("official", "fac_standard_met", "fac_standard_unmet", "fac_units", "fac_by_level",
                           "fac_by_ownership", "fac_counts", "fac_trend", "fac_school_standard", "fac_definitions")]
    context = {"tables": tables, "query": "level=primary&x=<y>", "kept": "level=primary"}
    if pagers is not None:
        context["pagers"] = pagers
    for language in ("vi", "en"):
        with translation.override(language):
            assert (Template("{% load dashboards %}{% facilities_cards tables pagers %}").render(Context(context))
                    == Template(CARDS_AS_A_LOOP).render(Context(context)))


def test_the_texts_of_figures_kept_by_the_process_follow_the_language_and_the_sign():
    """table_body keeps the texts of the floats it formatted, per pair of separators: a figure is written in the
    reader's format whichever language formatted it first, and 0.0 and -0.0 (equal as keys) keep their own texts."""
    values = [12.5, 0.0, -0.0, 1234.5, 99.99, 12.5]
    table = Table("t", "T", [("v", "V")], [{"v": v} for v in values])
    for language, seps in (("vi", SEPARATORS[0]), ("en", SEPARATORS[1]), ("vi", SEPARATORS[0])):
        with translation.override(language):
            body = table_body(table).split("<tbody>", 1)[1]
        assert re.findall(r'<td data-col="v">([^<]*)</td>', body) == [general_format(v, seps) for v in values]
