"""Reading uploaded tables as streams of rows, whatever the spreadsheet program wrote.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text", tab-separated), comma,
semicolon or tab delimiters. Excel (.xlsx): openpyxl in read-only mode with data_only=False, so
formulas are read as their text and never evaluated; the zip is inspected before it is opened so
that a small file cannot expand into gigabytes (a "zip bomb").

Nothing here loads a whole file: rows are yielded one at a time, and every XML part is parsed as a
stream (iterparse, with what was read cleared) under a size cap of its own that counts the bytes
actually decompressed, not only what the zip's directory claims. A 1.4 MB file whose styles.xml
expanded to a few hundred MB once cost a worker ~1 GB as a DOM.

Rows are bounded too: at most MAX_COLUMNS columns and MAX_CELL_CHARS characters a cell, so that a
header of a million columns cannot end up stored and rendered as tens of MB of messages.
"""
from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree
from django.conf import settings

from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import truncate

csv.field_size_limit(1_000_000)


class FileRejected(AppError):
    """The file as a whole cannot be read: nothing is written, the message says why."""

    def __init__(self, message: str) -> None:
        # The message is stored on the upload and shown on its page: it may quote the file's
        # header (unknown columns), so it is cut to a length a page can show.
        super().__init__(truncate(message, MAX_MESSAGE_CHARS), code="file_rejected")


MAX_MESSAGE_CHARS = 2000
# The templates have at most a few dozen columns; Excel's own cell limit is 32,767 characters.
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767

# A 50 MB workbook of 200,000 rows expands to a few hundred MB of XML; more is refused before
# anything is decompressed. What is held in memory while the sheet streams (the shared-string
# table: ~100 bytes of Python objects per string) has caps of its own, and every other part a
# small one: styles.xml and workbook.xml are a few kB to a few MB in real files.
XLSX_MAX_UNCOMPRESSED = getattr(settings, "UPLOADS_XLSX_MAX_UNCOMPRESSED", 800_000_000)
XLSX_MAX_SHARED_STRINGS = getattr(settings, "UPLOADS_XLSX_MAX_SHARED_STRINGS", 64_000_000)
XLSX_MAX_SHARED_STRING_COUNT = getattr(settings, "UPLOADS_XLSX_MAX_SHARED_STRING_COUNT", 2_000_000)
XLSX_MAX_PART = getattr(settings, "UPLOADS_XLSX_MAX_PART", 20_000_000)  # styles, workbook, rels (streamed)
XLSX_MAX_PART_DOM = 2_000_000  # the same parts when openpyxl reads them (it builds a DOM of each)
XLSX_MAX_MEMBERS = 10_000  # parts in the zip; its directory is read into memory whole
XLSX_MAX_ROW_CHARS = 16_000_000  # one spreadsheet row this long is not a class list
XLSX_MAX_RATIO = 200  # real sheets compress 5-30x; far more than this is a bomb
_SHEET_PREFIX = "xl/worksheets/"
_SHARED_STRINGS = "xl/sharedStrings.xml"


def _too_big() -> FileRejected:
    return FileRejected("Tệp Excel có nội dung giải nén quá lớn so với dung lượng tệp (có thể là tệp độc hại); "
                        "tệp không được xử lý.")


def _too_wide(number: int) -> FileRejected:
    return FileRejected(f"Dòng {number} có dữ liệu ở quá {MAX_COLUMNS} cột; mẫu chỉ có vài chục cột. Hãy xoá các "
                        "cột thừa bên phải bảng rồi tải lên lại.")


def bounded_row(number: int, values: list, *, short: bool = False) -> list:
    """A row cut to MAX_COLUMNS columns (empty ones beyond are dropped; content there refuses
    the file) and MAX_CELL_CHARS characters a cell. `short` says the whole row is known to be
    shorter than one cell may be, which spares the scan of its cells."""
    if len(values) > MAX_COLUMNS:
        if any(v is not None and (v.__class__ is not str or v.strip()) for v in values[MAX_COLUMNS:]):
            raise _too_wide(number)
        del values[MAX_COLUMNS:]
    if not short:
        for i, v in enumerate(values):
            if v.__class__ is str and len(v) > MAX_CELL_CHARS:
                values[i] = v[:MAX_CELL_CHARS]
    return values


class _CappedStream(io.RawIOBase):
    """A zip member read through a byte count: more than `cap` bytes (whatever the zip's
    directory declared) or more than what is left of the file's total budget refuses the file."""

    def __init__(self, raw, cap: int, budget: list[int]) -> None:
        self.raw, self.cap, self.budget, self.count = raw, cap, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self._count(len(data))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size is not None and size >= 0 else self.cap + 1)
        self._count(len(data))
        return data

    def _count(self, n: int) -> None:
        self.count += n
        self.budget[0] -= n
        if self.count > self.cap or self.budget[0] < 0:
            raise _too_big()

    def close(self) -> None:
        self.raw.close()
        super().close()


def _open_part(zf: zipfile.ZipFile, name: str, cap: int, budget: list[int]) -> _CappedStream:
    info = zf.getinfo(name)
    if info.file_size > cap:
        raise _too_big()
    return _CappedStream(zf.open(info), cap, budget)


def detect_format(path: Path, file_name: str) -> str:
    """'csv' or 'xlsx' from the content (the extension alone is not trusted)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("Đây là tệp Excel cũ (.xls). Hãy mở bằng Excel và lưu lại dưới dạng .xlsx hoặc CSV UTF-8.")
    if head.startswith(b"%PDF"):
        raise FileRejected("Đây là tệp PDF. Chỉ nhận tệp CSV hoặc Excel (.xlsx) theo mẫu.")
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\r\n\t ,;"):
        raise FileRejected("Tệp trống: không có dòng tiêu đề và dữ liệu.")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("Tệp không phải là CSV hay Excel (.xlsx). Hãy dùng tệp mẫu và lưu dưới dạng CSV UTF-8 "
                           "hoặc .xlsx.")
    return "csv"


class Table:
    """A header and rows from one file. `rows()` yields (row number, values); the header is
    row 1 of what the user sees, so data rows are numbered as in the spreadsheet."""

    header: list
    header_row: int = 1

    def rows(self) -> Iterator[tuple[int, list]]:
        raise NotImplementedError

    def fraction_read(self) -> float:
        return 0.0

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class CsvTable(Table):
    def __init__(self, path: Path) -> None:
        self.raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.size = max(path.stat().st_size, 1)
        head = self.raw.read(4)
        self.raw.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"  # also reads UTF-8 without a BOM
        self.text = io.TextIOWrapper(self.raw, encoding=encoding, newline="")
        try:
            first = self.text.readline()
            self.text.seek(0)
        except UnicodeDecodeError as exc:
            raise _not_utf8() from exc
        self.delimiter = max((";", ",", "\t"), key=first.count)
        self.reader = csv.reader(self.text, delimiter=self.delimiter)
        self._numbered = self._number()
        try:
            self.header_row, self.header = next(self._numbered)
        except StopIteration as exc:
            raise FileRejected("Tệp trống: không có dòng tiêu đề.") from exc

    def _number(self):
        try:
            for number, values in enumerate(self.reader, start=1):
                if values and any(v.strip() for v in values):
                    if len(values) > MAX_COLUMNS or max(map(len, values)) > MAX_CELL_CHARS:
                        values = bounded_row(number, values)
                    yield number, values
        except UnicodeDecodeError as exc:
            raise _not_utf8() from exc
        except csv.Error as exc:
            raise FileRejected(f"Tệp CSV bị lỗi định dạng ở dòng {self.reader.line_num}: {exc}.") from exc

    def rows(self):
        return self._numbered

    def fraction_read(self) -> float:
        try:
            return min(self.raw.tell() / self.size, 1.0)
        except (OSError, ValueError):
            return 0.0

    def close(self) -> None:
        self.text.close()


def _not_utf8() -> FileRejected:
    return FileRejected("Tệp CSV không ở mã UTF-8 nên tiếng Việt sẽ bị lỗi. Trong Excel hãy chọn Lưu thành "
                        "'CSV UTF-8 (Comma delimited)', hoặc tải lên tệp .xlsx.")


class XlsxTable(Table):
    def __init__(self, path: Path) -> None:
        # openpyxl builds a DOM of every part but the sheet, so those must be small.
        _check_zip(path, part_cap=XLSX_MAX_PART_DOM)
        import openpyxl

        try:
            # read_only streams the sheet; data_only=False keeps formulas as text, never evaluated.
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - any parse failure means an unreadable file
            raise FileRejected("Không đọc được tệp Excel (.xlsx): tệp bị hỏng hoặc không phải bảng tính.") from exc
        sheet = self.book.worksheets[0]
        self.total = sheet.max_row or 0
        self.done = 0
        self._numbered = self._number(sheet)
        try:
            self.header_row, self.header = next(self._numbered)
        except StopIteration as exc:
            raise FileRejected("Trang tính đầu tiên trống: không có dòng tiêu đề.") from exc

    def _number(self, sheet):
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                self.done = number
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    yield number, bounded_row(number, list(values))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise FileRejected("Tệp Excel bị hỏng ở giữa trang tính; hãy lưu lại tệp và thử lại.") from exc

    def rows(self):
        return self._numbered

    def fraction_read(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0

    def close(self) -> None:
        self.book.close()


class StreamingXlsxTable(Table):
    """The first sheet of an .xlsx read straight from its XML, several times faster than
    openpyxl's read-only mode: the sheet is decompressed and scanned in chunks, rows are cut out
    with regular expressions, and only the shared strings (which Excel keeps in one table) are
    held in memory, as openpyxl holds them too.

    Values come out as openpyxl gives them with data_only=False: text, int/float, datetime for
    date-formatted numbers, booleans, and "=<formula>" for formula cells (never evaluated).
    A sheet written with namespace prefixes (rare generators) is read by openpyxl instead.
    """

    CHUNK = 1 << 20

    def __init__(self, path: Path, zf: zipfile.ZipFile, sheet_name: str, budget: list[int]) -> None:
        self.zip = zf
        self.shared = _shared_strings(zf, budget)
        self.date_styles = _date_styles(zf, budget)
        info = zf.getinfo(sheet_name)
        self.total_bytes, self.read_bytes = max(info.file_size, 1), 0
        self.stream = _open_part(zf, sheet_name, XLSX_MAX_UNCOMPRESSED, budget)
        self._numbered = self._number()
        try:
            self.header_row, self.header = next(self._numbered)
        except StopIteration as exc:
            raise FileRejected("Trang tính đầu tiên trống: không có dòng tiêu đề.") from exc

    def _chunks(self):
        decoder = codecs.getincrementaldecoder("utf-8")()
        rest = ""
        started = False
        while True:
            raw = self.stream.read(self.CHUNK)
            self.read_bytes += len(raw)
            text = rest + decoder.decode(raw, final=not raw)
            if not started:
                start = text.find("<sheetData")
                if start < 0:
                    if not raw:
                        return
                    rest = text[-64:]
                    continue
                text, started = text[start:], True
            if not raw:
                yield text
                return
            cut = text.rfind("</row>")
            if cut < 0:
                if len(text) > XLSX_MAX_ROW_CHARS:
                    raise FileRejected("Tệp Excel có một dòng quá lớn (có thể là tệp độc hại); tệp không được xử lý.")
                rest = text
                continue
            yield text[:cut + 6]
            rest = text[cut + 6:]

    def _number(self):
        shared, date_styles = self.shared, self.date_styles
        sequential = 0
        for chunk in self._chunks():
            for m in _ROW.finditer(chunk):
                attrs, body = m.group(1) or m.group(3) or "", m.group(2) or ""
                number = _ROW_NUMBER.search(attrs)
                sequential = int(number.group(1)) if number else sequential + 1
                if not body:
                    continue
                short = len(body) <= MAX_CELL_CHARS  # then no cell of it can be too long
                if _ROW_SIMPLE.fullmatch(body):
                    values = self._simple_row(body)
                    if values is not None:
                        if any(v is not None and (v.__class__ is not str or v.strip()) for v in values):
                            yield sequential, values if short else bounded_row(sequential, values)
                        continue
                values: list = []
                position = 0
                for c in _CELL.finditer(body):
                    cell_attrs = c.group(1)
                    ref = _attr(cell_attrs, ' r="')
                    if ref:
                        position = _column_index(ref)
                    value = _cell_value(c.group(2), cell_attrs, shared, date_styles)
                    if value is not None:
                        if position >= MAX_COLUMNS:
                            # A cell far to the right (or a forged reference like ZZZZZZZZ1) must
                            # not grow the row list to its position.
                            if value.__class__ is not str or value.strip():
                                raise _too_wide(sequential)
                        else:
                            if position >= len(values):
                                values.extend([None] * (position - len(values) + 1))
                            values[position] = value
                    position += 1
                if any(v is not None and (v.__class__ is not str or v.strip()) for v in values):
                    yield sequential, values if short else bounded_row(sequential, values)

    def _simple_row(self, body: str) -> list | None:
        """Rows of plain cells (what Excel, LibreOffice and openpyxl write for typed values) in
        one regular-expression pass; None sends anything unusual to the general path."""
        values: list = []
        shared, date_styles = self.shared, self.date_styles
        for column, style, kind, v, inline in _CELL_SIMPLE.findall(body):
            position = ord(column) - 65 if len(column) == 1 else _column_index(column)
            if position >= MAX_COLUMNS:
                return None  # the general path refuses content there
            if kind == "s":
                if not v:
                    continue
                try:
                    value = shared[int(v)]
                except (ValueError, IndexError):
                    return None
            elif kind == "inlineStr":
                if not inline:
                    continue
                value = html.unescape(inline) if "&" in inline else inline
            elif kind in ("", "n"):
                if not v:
                    continue
                try:
                    number = float(v)
                except ValueError:
                    return None
                if style and style in date_styles:
                    return None
                value = int(number) if number.is_integer() and v.isdigit() else number
            else:
                return None
            if position >= len(values):
                values.extend([None] * (position - len(values) + 1))
            values[position] = value
        return values

    def rows(self):
        return self._numbered

    def fraction_read(self) -> float:
        return min(self.read_bytes / self.total_bytes, 1.0)

    def close(self) -> None:
        self.stream.close()
        self.zip.close()


_ROW = re.compile(r"<row\b([^>]*)>(.*?)</row>|<row\b([^>]*)/>", re.S)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_CELL_SIMPLE_TEXT = (r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")? ?'
                     r'(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)</c>)')
_CELL_SIMPLE = re.compile(_CELL_SIMPLE_TEXT)
_ROW_SIMPLE = re.compile(f"(?:{_CELL_SIMPLE_TEXT})*")
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_V = re.compile(r"<v>(.*?)</v>", re.S)
_F = re.compile(r"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_T = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _attr(attrs: str, marker: str) -> str | None:
    """The value of one attribute (marker is ' r="'), without building a dict per cell."""
    start = attrs.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return attrs[start:attrs.index('"', start)]


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _cell_value(inner, attrs: str, shared: list, date_styles: frozenset):
    if not inner:
        return None
    kind = _attr(attrs, ' t="') or "n"
    if kind == "s" and inner.startswith("<v>") and inner.endswith("</v>"):
        try:
            return shared[int(inner[3:-4])]
        except (ValueError, IndexError) as exc:
            raise FileRejected("Tệp Excel bị hỏng: ô trỏ tới chuỗi không tồn tại.") from exc
    if "<f" in inner:
        f = _F.search(inner)
        if f:
            return "=" + (_unescape(f.group(1)) if f.group(1) else "<công thức dùng chung>")
    if kind == "inlineStr":
        return _unescape("".join(t or "" for t in _T.findall(_RPH.sub("", inner))))
    v = _V.search(inner)
    if v is None:
        return None
    raw = v.group(1)
    if kind == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError) as exc:
            raise FileRejected("Tệp Excel bị hỏng: ô trỏ tới chuỗi không tồn tại.") from exc
    if kind in ("str", "e"):
        return _unescape(raw)
    if kind == "b":
        return raw == "1"
    try:
        number = float(raw)
    except ValueError:
        return _unescape(raw)
    if date_styles and _attr(attrs, ' s="') in date_styles:
        if 0 <= number < 2_958_466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(number)
    return int(number) if number.is_integer() and "." not in raw and "E" not in raw.upper() else number


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _shared_strings(zf: zipfile.ZipFile, budget: list[int]) -> list[str]:
    try:
        stream = _open_part(zf, _SHARED_STRINGS, XLSX_MAX_SHARED_STRINGS, budget)
    except KeyError:
        return []
    strings = []
    si, t, r = _NS + "si", _NS + "t", _NS + "r"
    # iterparse keeps memory to the strings themselves: each <si> is emptied and dropped from the
    # root once read (a cleared element left in the root still costs ~100 bytes); phonetic runs
    # (rPh) are not text.
    with stream:
        root = None
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if root is None:
                root = element
                continue
            if event != "end" or element.tag != si:
                continue
            parts = []
            for child in element:
                if child.tag == t:
                    parts.append(child.text or "")
                elif child.tag == r:
                    parts.extend(x.text or "" for x in child.iter(t))
            text = "".join(parts)
            strings.append(text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS])
            del root[:]
            if len(strings) > XLSX_MAX_SHARED_STRING_COUNT:
                raise _too_big()
    return strings


def _date_styles(zf: zipfile.ZipFile, budget: list[int]) -> frozenset:
    """Indexes of the cell styles whose number format shows a date, read as a stream: the
    attributes are complete at each element's start, and what has ended is dropped."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    try:
        stream = _open_part(zf, "xl/styles.xml", XLSX_MAX_PART, budget)
    except KeyError:
        return frozenset()
    formats = dict(BUILTIN_FORMATS)
    is_date: dict[int, bool] = {}
    dates = set()
    num_fmt, cell_xfs, xf = _NS + "numFmt", _NS + "cellXfs", _NS + "xf"
    stack: list = []
    in_cell_xfs, index = False, 0
    with stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                stack.append(element)
                tag = element.tag
                if tag == num_fmt:
                    formats[_int(element.get("numFmtId"), -1)] = element.get("formatCode", "")
                elif tag == cell_xfs:
                    in_cell_xfs = True
                elif tag == xf and in_cell_xfs and len(stack) == 3:
                    fmt = _int(element.get("numFmtId"), 0)
                    if fmt not in is_date:
                        code = formats.get(fmt, "")
                        is_date[fmt] = bool(code) and is_date_format(code)
                    if is_date[fmt]:
                        dates.add(str(index))
                    index += 1
                continue
            stack.pop()
            if element.tag == cell_xfs:
                in_cell_xfs = False
            if stack:
                del stack[-1][:]
    return frozenset(dates)


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _first_start(stream, tag: str, match=None):
    """The attributes of the first element `tag` (that `match` accepts), read as a stream and
    stopped there; what was read before is dropped as it goes."""
    stack: list = []
    with stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                if element.tag == tag and (match is None or match(element)):
                    return dict(element.attrib)
                stack.append(element)
                continue
            stack.pop()
            if stack:
                del stack[-1][:]
    return None


def _first_sheet(zf: zipfile.ZipFile, budget: list[int]) -> str:
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    sheet = _first_start(_open_part(zf, "xl/workbook.xml", XLSX_MAX_PART, budget), _NS + "sheet")
    if sheet is None:
        raise FileRejected("Tệp Excel không có trang tính nào.")
    rid = sheet.get(rel_ns + "id")
    rel = _first_start(_open_part(zf, "xl/_rels/workbook.xml.rels", XLSX_MAX_PART, budget),
                       "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                       lambda e: e.get("Id") == rid)
    if rel is None:
        raise FileRejected("Tệp Excel bị hỏng: không tìm thấy trang tính đầu tiên.")
    target = rel.get("Target", "")
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _check_zip(path: Path, *, part_cap: int = XLSX_MAX_PART) -> None:
    """An .xlsx is a zip: refuse one that would expand beyond limits before anything reads it.
    The sizes checked here are what the zip declares; the reads count what really comes out
    (_CappedStream), so a zip that lies about its sizes is refused all the same."""
    _check_zip_directory(path)
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRejected("Không đọc được tệp Excel (.xlsx): tệp bị hỏng.") from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRejected("Tệp nén này không phải là bảng tính Excel (.xlsx).")
    total = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1_000_000), default=0)
    shared = sum(m.file_size for m in members if m.filename == _SHARED_STRINGS)
    # Every other XML part is parsed whole by openpyxl, or streamed here; pictures are never read.
    other = max((m.file_size for m in members if m.filename.endswith((".xml", ".rels"))
                 and m.filename != _SHARED_STRINGS and not m.filename.startswith(_SHEET_PREFIX)), default=0)
    if (total > XLSX_MAX_UNCOMPRESSED or worst > XLSX_MAX_RATIO or shared > XLSX_MAX_SHARED_STRINGS
            or other > part_cap):
        raise _too_big()


def _check_zip_directory(path: Path) -> None:
    """Opening a zip reads its whole central directory into memory (~0.5 kB an entry): a 50 MB
    file of empty entries would cost hundreds of MB before any check. The entry count is read
    from the end-of-directory record first (a zip64 directory, for more than 65,535 entries, is
    never what a spreadsheet program writes)."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(size - 22 - 65_535, 0))
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise FileRejected("Không đọc được tệp Excel (.xlsx): tệp bị hỏng.")
    entries = int.from_bytes(tail[at + 10:at + 12], "little")
    zip64 = at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07"  # the zip64 locator precedes the record
    if entries > XLSX_MAX_MEMBERS or zip64:
        raise FileRejected("Tệp Excel có quá nhiều thành phần (có thể là tệp độc hại); tệp không được xử lý.")


def open_table(path: Path, file_format: str) -> Table:
    if file_format != "xlsx":
        return CsvTable(path)
    _check_zip(path)
    zf = zipfile.ZipFile(path)
    budget = [XLSX_MAX_UNCOMPRESSED]  # bytes all parts together may still expand to
    try:
        sheet = _first_sheet(zf, budget)
        with zf.open(sheet) as f:
            head = f.read(4096)
        if b"<sheetData" in head or b"<row" in head or b"sheetData" not in head:
            return StreamingXlsxTable(path, zf, sheet, budget)
    except FileRejected:
        zf.close()
        raise
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, ValueError) as exc:
        zf.close()
        raise FileRejected("Không đọc được tệp Excel (.xlsx): tệp bị hỏng hoặc không phải bảng tính.") from exc
    zf.close()
    return XlsxTable(path)  # namespace-prefixed XML: openpyxl reads it
