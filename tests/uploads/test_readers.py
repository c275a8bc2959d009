"""The streaming .xlsx reader gives what openpyxl gives (never evaluating formulas), for the
files Excel-like writers make; CSV dialects are detected."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from uploads.readers import CsvTable, StreamingXlsxTable, XlsxTable, open_table

cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["Nguyễn Thị Ánh", "a & b <c>", "=SUM(1,2)", "'quoted", "  spaced  ", "001316000001"]),
    st.integers(-10**9, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
        lambda d: d.replace(microsecond=0, second=0)),
    st.booleans(),
)


def _rows(path, reader):
    with reader(path) as table:
        rows = [(1, table.header), *table.rows()]
    return [(n, _trim(values)) for n, values in rows]


def _trim(values):
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return values


@settings(max_examples=30)
@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=8), st.booleans())
def test_streaming_reader_matches_openpyxl(tmp_path_factory, rows, write_only):
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.append(["Mã học sinh", "Họ và tên"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    fast = open_table(path, "xlsx")
    fast.close()
    assert isinstance(fast, StreamingXlsxTable)
    assert _rows(path, lambda p: open_table(p, "xlsx")) == _rows(path, XlsxTable)


def test_csv_delimiters_and_encodings(tmp_path):
    for content, delimiter in ((b"\xef\xbb\xbfa;b\n1;2\n", ";"), ("a\tb\n1\t2\n".encode("utf-16"), "\t"),
                               (b"a,b\n1,2\n", ",")):
        path = tmp_path / "t.csv"
        path.write_bytes(content)
        with CsvTable(path) as table:
            assert table.delimiter == delimiter and table.header == ["a", "b"]
            assert list(table.rows()) == [(2, ["1", "2"])]


def test_formula_cells_are_read_as_text_not_values(tmp_path):
    book = Workbook()
    book.active.append(["x"])
    book.active.append(["=1+1"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    with open_table(path, "xlsx") as table:
        assert list(table.rows()) == [(2, ["=1+1"])]
