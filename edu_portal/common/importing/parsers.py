"""Parsers that accept values as people's files really carry them.

A parser takes a raw value (text from a CSV cell, a number/date/text from an Excel cell, or a
JSON value from the API) and returns `(value, None)` or `(None, reason)`, where `reason` is the
end of a sentence in plain Vietnamese that follows the quoted value:
"Dòng 12, cột Ngày sinh: '31/02/2015' không phải là ngày hợp lệ".
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import translation

from edu_portal.common.identity import (
    CENTURY_INDEX,
    canonical_name,
    id_number_errors,
    legacy_province_codes,
    normalize_name,
)

from .errors import RowError

# Excel's 1900 date system counts days from 1899-12-30 (the 1900 leap-year bug included).
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?")
_SERIAL = re.compile(r"\d{1,5}(?:\.0+)?")
# What Excel shows (and saves to CSV) for a long number in a General cell: 1.23457E+11, the last digits lost.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+]?\d+")
SCIENTIFIC_REASON = ("là số dạng lũy thừa (kiểu 1.23457E+11): Excel đã hiển thị {what} dưới dạng số và làm mất "
                     "các chữ số cuối, nên không thể đọc lại. Hãy định dạng cột là Văn bản (Text) trong Excel, "
                     "nhập lại đủ các chữ số rồi lưu tệp")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# A personal name: letters (any script, with diacritics) separated by spaces, apostrophes,
# hyphens or dots. Digits and symbols such as = + @ are refused, so a formula cannot hide here.
_NAME = re.compile(r"[^\W\d_]+(?:[ '’\-.]+[^\W\d_]+)*\.?")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def header_key(text) -> str:
    """Headers compare without case, accents' encoding form, stray spaces or a trailing '*'."""
    text = unicodedata.normalize("NFC", str(text or "")).strip().rstrip("*").strip()
    return _SPACES.sub(" ", text).casefold()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell as text for messages and error files (Excel numbers without a spurious '.0')."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if not (value.hour or value.minute) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def neutralise(value) -> str:
    """A value written to an exported CSV/Excel file can never run as a formula (OWASP CSV
    injection): text starting with = + - @ tab or CR gets a leading apostrophe."""
    text = as_text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=") and len(value) > 1


def formula_errors(row: dict) -> list[RowError]:
    """Excel formulas are never evaluated: a cell holding one is refused, not computed."""
    for value in row.values():
        if value.__class__ is str and value[:1] == "=":
            break
    else:
        return []
    return [RowError(k, str(v), "là công thức Excel; hãy nhập giá trị (công thức không được tính)")
            for k, v in row.items() if is_formula(v)]


def field_checker(row: dict, errors: list[RowError], shown=None):
    """check(key, (value, why)) -> value: a parser's refusal becomes the row's error on that column, showing the
    cell as typed (or as `shown(key, cell)` says: a masked identity number). One place for what every
    importer's validate_row did with its own closure."""
    def check(key, result):
        value, why = result
        if why:
            cell = row.get(key)
            errors.append(RowError(key, shown(key, cell) if shown else as_text(cell), why))
        return value
    return check


# --- parsers ----------------------------------------------------------------------------------

def is_scientific(value) -> bool:
    return value.__class__ is str and _SCIENTIFIC.fullmatch(value.strip()) is not None


def parse_date(value, *, earliest: dt.date = dt.date(1900, 1, 1), latest: dt.date | None = None,
               order: str = "dmy"):
    """dd/mm/yyyy (also with '.' or '-'), yyyy-mm-dd, an Excel date cell, or an Excel serial
    number (what a date becomes when its cell loses the date format). `order` is the column's
    order of text dates, decided from the whole column (dates.py): 'mdy' reads mm/dd/yyyy."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _from_serial(value)
        if day is None:
            return None, "không phải là ngày hợp lệ (dùng dạng dd/mm/yyyy)"
    else:
        text = str(value).strip()
        m = _DMY.fullmatch(text)
        try:
            if m and order == "mdy":
                try:
                    day = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
                except ValueError:
                    return None, "không phải là ngày hợp lệ theo thứ tự tháng/ngày/năm của cột này"
            elif m:
                day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            elif (m := _YMD.fullmatch(text)):
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif _SERIAL.fullmatch(text):
                day = _from_serial(float(text))
                if day is None:
                    return None, "không phải là ngày hợp lệ (dùng dạng dd/mm/yyyy)"
            else:
                return None, "không phải là ngày hợp lệ (dùng dạng dd/mm/yyyy)"
        except ValueError:
            return None, "không phải là ngày hợp lệ"
    if day < earliest or (latest is not None and day > latest):
        return None, "nằm ngoài khoảng thời gian cho phép"
    return day, None


def _from_serial(number: float) -> dt.date | None:
    if not 1 <= number < 2_958_466 or number != int(number):
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_text(value, *, max_length: int, required: bool = True):
    text = normalize_name(as_text(value))
    if not text:
        return (None, "không được để trống") if required else ("", None)
    if len(text) > max_length:
        return None, f"dài quá {max_length} ký tự"
    return text, None


def parse_name(value, *, max_length: int = 100):
    """Full names in the canonical form (NFC, single spaces, one tone placement), letters only."""
    text, reason = parse_text(value, max_length=max_length)
    if reason:
        return None, reason
    if not _NAME.fullmatch(text):
        return None, "không phải là họ tên hợp lệ (chỉ gồm chữ cái và dấu cách)"
    return canonical_name(text), None


def parse_code(value, *, max_length: int = 20):
    """A MOET code: letters and digits, as typed (Excel numbers lose no leading zeros here
    because codes start with letters or are kept as text in the template)."""
    if value.__class__ is str and len(value) <= max_length and value.isalnum() and value.isascii():
        return value, None
    text = _SPACES.sub("", as_text(value))
    if not text:
        return None, "không được để trống"
    if is_scientific(text):
        return None, SCIENTIFIC_REASON.format(what="mã")
    if len(text) > max_length or not text.isalnum() or not text.isascii():
        return None, f"không phải là mã hợp lệ (chỉ gồm chữ và số, tối đa {max_length} ký tự)"
    return text, None


def parse_id_number(value, *, date_of_birth: dt.date | None, gender: str | None):
    """Số định danh cá nhân, 12 digits. Excel turns it into a number and drops the leading
    zeros: the message says so and proposes the fixed number (id_number_errors)."""
    if is_blank(value):
        return None, None
    text = _SPACES.sub("", as_text(value))
    if _id_number_fine(text, date_of_birth, gender):
        return text, None
    if is_scientific(text):
        return None, SCIENTIFIC_REASON.format(what="số định danh")
    errors = id_number_errors(text, date_of_birth=date_of_birth, gender=gender)
    if errors:
        return None, translation.gettext("không hợp lệ: %(errors)s") % {"errors": " ".join(errors)}
    return text, None


def _id_number_fine(text: str, date_of_birth, gender) -> bool:
    """The common case answered fast; the rules (and every message) are those of
    edu_portal.common.identity.id_number_errors, which decides whenever this says no."""
    if len(text) != 12 or not text.isdigit() or not text.isascii() or text[:3] not in legacy_province_codes():
        return False
    if date_of_birth is None or gender not in ("M", "F"):
        return True
    century = CENTURY_INDEX.get(date_of_birth.year // 100)
    if century is None:
        return False
    return (int(text[3]) == century * 2 + (gender == "F")
            and text[4:6] == f"{date_of_birth.year % 100:02d}")


def parse_choice(value, choices, *, required: bool = True):
    """A code or its Vietnamese label (either form, any case); returns the code."""
    lookup = _choice_lookup(tuple(choices))
    if value.__class__ is str and value in lookup:
        return lookup[value], None
    text = header_key(as_text(value))
    if not text:
        return (None, "không được để trống") if required else ("", None)
    if text in lookup:
        return lookup[text], None
    return None, f"không phải là giá trị hợp lệ (chọn một trong: {choice_labels(choices, ', ')})"


_CHOICE_CACHE: dict = {}


UPLOAD_LANGUAGE = "vi"  # the ministry's file format; the English UI translates labels on screen only


def _file_labels(choices) -> list[tuple]:
    """(code, label) with the labels as the files spell them: Vietnamese, whatever language the
    page is in."""
    with translation.override(UPLOAD_LANGUAGE):
        return [(code, str(label)) for code, label in choices]


def choice_labels(choices, sep: str) -> str:
    return sep.join(label for _, label in _file_labels(choices))


def _choice_lookup(choices: tuple) -> dict:
    # Keyed by the codes alone (cheap per row; hashing lazy labels would translate each one):
    # every choice tuple of the same codes carries the same labels.
    codes = tuple(code for code, _ in choices)
    lookup = _CHOICE_CACHE.get(codes)
    if lookup is None:
        lookup = {}
        for code, label in _file_labels(choices):
            for form in (str(code), label):
                for variant in (form, form.lower(), form.upper(), form.capitalize(), header_key(form)):
                    lookup[variant] = code
        _CHOICE_CACHE[codes] = lookup
    return lookup


def parse_int(value, *, low: int, high: int, required: bool = True):
    if value.__class__ is str and value.isdigit() and value.isascii() and low <= int(value) <= high:
        return int(value), None
    if is_blank(value):
        return (None, "không được để trống") if required else (None, None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = as_text(value).strip()
    if not _DIGITS.fullmatch(text):
        return None, "không phải là số nguyên"
    number = int(text)
    if not low <= number <= high:
        return None, f"phải từ {low} đến {high}"
    return number, None


def parse_decimal(value, *, low: Decimal, high: Decimal, places: int = 1, required: bool = True):
    """A decimal number; the Vietnamese decimal comma (8,5) is accepted."""
    if is_blank(value):
        return (None, "không được để trống") if required else (None, None)
    text = as_text(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "không phải là số"
    if not number.is_finite():
        return None, "không phải là số"
    if not low <= number <= high:
        return None, f"phải từ {low} đến {high}"
    return number.quantize(Decimal(1).scaleb(-places)), None


def parse_school_year(value, *, current: int):
    """'2025-2026' or '2025 - 2026'; empty means the current school year.

    A bare year is refused: "2026" may mean 2025-2026 (the school year that ends in it) as well as
    2026-2027, and the ministry's forms write the school year as both years (năm học 2025-2026)."""
    if is_blank(value):
        return current, None
    text = _SPACES.sub("", as_text(value))
    if re.fullmatch(r"\d{4}", text):
        return None, ("thiếu năm kết thúc: năm học phải ghi đủ hai năm dạng YYYY-YYYY "
                      f"(ví dụ {int(text) - 1}-{text} hoặc {text}-{int(text) + 1})")
    m = re.fullmatch(r"(\d{4})[-/](\d{4})", text)
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        return None, "không phải là năm học hợp lệ (dạng YYYY-YYYY, ví dụ 2025-2026)"
    year = int(m.group(1))
    if not current - 20 <= year <= current:
        return None, "nằm ngoài khoảng năm học cho phép"
    return year, None


