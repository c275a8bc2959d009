"""The streaming .xlsx reader gives what openpyxl gives (never evaluating formulas), for the
files Excel-like writers make; CSV dialects are detected."""
import datetime as dt
import gc
import io
import json
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from edu_portal.common.importing import MAX_REASON_CHARS, MAX_VALUE_CHARS
from tests.uploads.conftest import PUPIL_HEADER, csv_bytes, pupil_rows, run_upload
from uploads.models import UploadStatus
from uploads.readers import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    CsvTable,
    FileRejected,
    StreamingXlsxTable,
    XlsxTable,
    open_table,
)

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


# --- bounded memory and size: crafted files ----------------------------------------------------

def _workbook(path, rows=(("Mã học sinh", "Họ và tên"), ("HS1", "An"))):
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def _with_part(path, name: str, data: bytes):
    """The workbook with one part replaced (or added) by `data`, compressed as a zip writer would."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in source.infolist():
            if info.filename != name:
                z.writestr(info.filename, source.read(info.filename))
        z.writestr(name, data)
    source.close()
    path.write_bytes(out.getvalue())
    return path


def _styles(count: int) -> bytes:
    """A styles.xml of `count` cell formats that compresses about 10x, as bloated real ones do
    (well under the zip-bomb ratio, so only its size can give it away)."""
    xfs = "".join(f'<xf numFmtId="{i % 160}" fontId="{i % 97}" fillId="{i % 13}" borderId="{i % 31}" xfId="0" '
                  f'applyNumberFormat="1"><alignment horizontal="left" indent="{i % 9}"/></xf>' for i in range(count))
    return ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
            f'</numFmts><cellXfs count="{count}">{xfs}</cellXfs></styleSheet>').encode()


def _shared_strings(count: int) -> bytes:
    items = "".join(f"<si><t>Nguyễn Văn {i}</t></si>" for i in range(count))
    return ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main" count="{count}" uniqueCount="{count}">{items}</sst>').encode()


def _peak_mb(action) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6


def _read_all(path):
    with open_table(path, "xlsx") as table:
        return [table.header, *(values for _, values in table.rows())]


def test_a_large_styles_part_is_streamed_in_bounded_memory(tmp_path):
    """A styles.xml of 80,000 cell formats (~10 MB: a DOM of it takes ~90 MB) is read as a stream."""
    path = _with_part(_workbook(tmp_path / "t.xlsx"), "xl/styles.xml", _styles(80_000))
    rows = []
    peak = _peak_mb(lambda: rows.extend(_read_all(path)))
    assert rows == [["Mã học sinh", "Họ và tên"], ["HS1", "An"]]
    assert peak < 20


@pytest.mark.parametrize("part,data", [
    ("xl/styles.xml", lambda: _styles(200_000)),           # ~26 MB of formats: a DOM of ~250 MB
    ("xl/sharedStrings.xml", lambda: _shared_strings(2_400_000)),  # ~70 MB: ~400 MB as Python strings
], ids=["styles", "shared-strings"])
def test_an_oversized_part_is_refused_quickly_in_bounded_memory(tmp_path, part, data):
    path = _with_part(_workbook(tmp_path / "t.xlsx"), part, data())
    started = time.monotonic()
    refusal = []

    def read():
        with pytest.raises(FileRejected) as caught:
            _read_all(path)
        refusal.append(caught.value.message)

    assert _peak_mb(read) < 50
    assert time.monotonic() - started < 5
    assert "giải nén quá lớn" in refusal[0]


def test_a_forged_column_reference_cannot_grow_a_row(tmp_path):
    """A cell at column ZZZZ (475,254) used to make a list that long for its row; content beyond
    MAX_COLUMNS refuses the file with a short message."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Mã học sinh</t></is>'
             '</c><c r="ZZZZ1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>').encode()
    path = _with_part(_workbook(tmp_path / "t.xlsx"), "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(FileRejected, match=f"quá {MAX_COLUMNS} cột"):
        _read_all(path)


def test_empty_columns_beyond_the_cap_are_dropped_and_long_cells_cut(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Mã học sinh,Họ và tên" + "," * 100_000 + "\nHS1," + "A" * 100_000 + "\n", encoding="utf-8")
    with CsvTable(path) as table:
        assert table.header == ["Mã học sinh", "Họ và tên"] + [""] * (MAX_COLUMNS - 2)
        [(_, values)] = list(table.rows())
    assert values == ["HS1", "A" * MAX_CELL_CHARS]


@pytest.mark.django_db
def test_a_header_of_a_million_columns_is_refused_with_a_short_message(school_user, school_a):
    content = ",".join(["Mã học sinh", *(f"cột {i}" for i in range(1_000_000))]).encode() + b"\nHS1\n"
    upload = run_upload(school_user, content, school=school_a)
    assert upload.status == UploadStatus.REJECTED
    assert f"quá {MAX_COLUMNS} cột" in upload.message and len(upload.message) < 500


@pytest.mark.django_db
def test_stored_errors_quote_at_most_a_short_piece_of_a_cell(school_user, school_a):
    rows = pupil_rows(3)
    rows[0][2] = "Nguyễn " * 20_000  # a name of 140,000 characters
    rows[1][0] = "=" + "A1&" * 50_000
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows), school=school_a)
    assert upload.status == UploadStatus.INVALID and upload.errors
    for error in upload.errors:
        assert len(error["value"]) <= MAX_VALUE_CHARS and len(error["reason"]) <= MAX_REASON_CHARS
        assert len(error["message"]) < 1000
    assert len(json.dumps(upload.errors)) < 10_000
