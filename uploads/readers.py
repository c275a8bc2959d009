"""Reading uploaded tables as streams of rows, whatever the spreadsheet program wrote.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text", tab-separated), comma,
semicolon or tab delimiters. Excel (.xlsx): openpyxl in read-only mode with data_only=False, so
formulas are read as their text and never evaluated; the zip is inspected before it is opened so
that a small file cannot expand into gigabytes (a "zip bomb").

Nothing here loads a whole file: rows are yielded one at a time.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from edu_portal.common.exceptions import AppError

csv.field_size_limit(1_000_000)


class FileRejected(AppError):
    """The file as a whole cannot be read: nothing is written, the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="file_rejected")


XLSX_MAX_UNCOMPRESSED = getattr(settings, "UPLOADS_XLSX_MAX_UNCOMPRESSED", 1_500_000_000)
XLSX_MAX_RATIO = 200  # real sheets compress 5-30x; far more than this is a bomb


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
        _check_zip(path)
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
                    yield number, list(values)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise FileRejected("Tệp Excel bị hỏng ở giữa trang tính; hãy lưu lại tệp và thử lại.") from exc

    def rows(self):
        return self._numbered

    def fraction_read(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0

    def close(self) -> None:
        self.book.close()


def _check_zip(path: Path) -> None:
    """An .xlsx is a zip: refuse one that would expand beyond limits before anything reads it."""
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
    if total > XLSX_MAX_UNCOMPRESSED or worst > XLSX_MAX_RATIO:
        raise FileRejected("Tệp Excel có nội dung giải nén quá lớn so với dung lượng tệp (có thể là tệp độc hại); "
                           "tệp không được xử lý.")


def open_table(path: Path, file_format: str) -> Table:
    return XlsxTable(path) if file_format == "xlsx" else CsvTable(path)
