"""Personal identity rules shared by forms, uploads, the API and verification.

Số định danh cá nhân (Luật Căn cước 2023, Điều 12; Thông tư 59/2021/TT-BCA, Điều 7):
12 digits = 3-digit code of the province where the birth was registered (the 63 pre-2025
provinces, Thông tư 07/2016/TT-BCA Phụ lục I) or of the country where it was registered for a
birth registered abroad (Phụ lục II) + 1 digit for century and gender + 2 digits for the year of
birth + 6 random digits.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

GEO_DATA = Path(__file__).resolve().parents[2] / "geo" / "data"
LEGACY_PROVINCES_CSV = GEO_DATA / "legacy_provinces.csv"
# Mã quốc gia nơi công dân đăng ký khai sinh (Thông tư 07/2016/TT-BCA, Điều 7 khoản 1 điểm b and
# Phụ lục II, kept by Thông tư 59/2021/TT-BCA): codes 101-295, one per country.
BIRTH_ABROAD_PREFIXES_CSV = GEO_DATA / "birth_abroad_prefixes.csv"
_WHITESPACE = re.compile(r"\s+")
_DIGITS_12 = re.compile(r"\d{12}")

# Century digit (Thông tư 59/2021/TT-BCA, Điều 7; Thông tư 07/2016/TT-BCA, Điều 7 khoản 2):
# 2 × the century's index, + 1 for a woman; 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s,
# 8/9 = 2300s (thế kỷ 24, 2300-2399). The one table of it: the importers and the demo registry
# read it from here.
CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}  # century index -> first year
CENTURY_INDEX = {start // 100: index for index, start in CENTURY_START.items()}  # year // 100 -> index

# The fields the national population registry compares: a change to any of them means the
# person's identity must be verified again.
IDENTITY_FIELDS = ("id_number", "full_name", "date_of_birth", "gender")


class VerificationStatus(models.TextChoices):
    """Where a person's identity stands against the population registry (verification app)."""

    UNVERIFIED = "unverified", gettext_lazy("Chưa xác thực")
    QUEUED = "queued", gettext_lazy("Đang chờ xác thực")
    VERIFIED = "verified", gettext_lazy("Đã xác thực")
    MISMATCH = "mismatch", gettext_lazy("Sai lệch thông tin")
    NOT_FOUND = "not_found", gettext_lazy("Không có trong CSDL dân cư")
    INVALID_ID = "invalid_id", gettext_lazy("Số định danh không hợp lệ")
    ERROR = "error", gettext_lazy("Lỗi, sẽ thử lại")


@lru_cache(maxsize=1)
def legacy_province_codes() -> frozenset[str]:
    """The 3-digit prefixes of ID numbers: the 63 pre-2025 provinces and the countries where a
    birth registered abroad was registered (birth_abroad_prefixes)."""
    with LEGACY_PROVINCES_CSV.open(encoding="utf-8") as f:
        codes = {"0" + row["legacy_code"] for row in csv.DictReader(f)}
    return frozenset(codes | birth_abroad_prefixes())


@lru_cache(maxsize=1)
def birth_abroad_prefixes() -> frozenset[str]:
    """The country codes of Thông tư 07/2016/TT-BCA Phụ lục II: a Vietnamese citizen whose birth was
    registered abroad (at an embassy or consulate) carries one of them as digits 1-3."""
    with BIRTH_ABROAD_PREFIXES_CSV.open(encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def normalize_name(value: str) -> str:
    """Names are stored in Unicode NFC (macOS writes NFD) with whitespace collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value or "")).strip()


# --- One tone-mark placement for people's names ----------------------------------------------------
# Vietnamese has two accepted placements of the tone mark in the open syllables oa, oe, uy (no final
# consonant): on the first vowel, "hòa, khỏe, thúy" (kiểu cũ, the default of Unikey/EVKey and of most
# keyboards, hence what the national population database mostly holds: CCCD cards read "THÚY", "HÒA"),
# or on the second, "hoà, khoẻ, thuý" (kiểu mới, QĐ 240/QĐ 1984; textbooks under QĐ 1989/QĐ-BGDĐT
# 2018). Both are correct spellings, so one person is typed both ways: names are stored and compared
# in one of them, the first (what the registry holds and the demo names already are). Every other
# syllable puts the mark on its main vowel in both styles (hoàng, tuyết, quý, già), so the rules only
# move a mark within those three clusters, and undo two slips the keyboards allow: "qúy" (u of "qu"
# is part of the consonant) -> "quý", "gìa" (i of "gi" likewise) -> "già".
# The rules run on NFD, where a tone is a combining mark after its letter (ề = e + ̂ + ̀), so each
# is a regular expression that moves a mark; the same expressions, written for PostgreSQL, make the
# SQL function vn_name_canonical (NAME_CANONICAL_SQL) that migrations use on stored names: tests check
# that both agree.
_TONE = "[\u0300\u0301\u0303\u0309\u0323]"  # huyền, sắc, ngã, hỏi, nặng
_VOWEL_MARK = "[\u0302\u0306\u031b]"  # â ê ô, ă, ơ ư: part of the letter, not a tone
# In NFD every Vietnamese letter is an ASCII letter plus marks, except đ.
_NOT_LETTER_NEXT = "(?![A-Za-z\u0110\u0111\u0300-\u036f])"
_TONE_RULES = (
    # Open oa, oe, uy (not the u of "qu"): the mark on the first vowel.
    (f"(?<![Qq])([Oo])([AaEe])({_TONE}){_NOT_LETTER_NEXT}", r"\1\3\2"),
    (f"(?<![Qq])([Uu])([Yy])({_TONE}){_NOT_LETTER_NEXT}", r"\1\3\2"),
    # "qu", "gi" + a vowel: the u, the i belong to the consonant; the mark goes on the vowel after.
    (f"([Qq][Uu]|[Gg][Ii])({_TONE})([AaEeIiOoUuYy]{_VOWEL_MARK}?)(?![AaEeIiOoUuYy])", r"\1\3\2"),
)
_TONE_REGEXES = tuple((re.compile(pattern), replacement) for pattern, replacement in _TONE_RULES)
# Python's \s (str.isspace), spelled out so that PostgreSQL's regular expressions read it the same.
_SPACE = "[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"


def _toned(letters: str) -> str:
    return "".join(unicodedata.normalize("NFC", letter + tone) for letter in letters
                   for tone in "\u0300\u0301\u0303\u0309\u0323")


# What a stored (NFC) name must hold for canonical_name to change it, beyond not being NFC: a mark the
# rules move, or whitespace other than single inner spaces. Lets the migration of 24 million names
# skip at a glance the names that cannot change (tests check it misses none).
NAME_CANONICAL_CANDIDATE = (
    f"[Oo][{_toned('AaEe')}]|[Uu][{_toned('Yy')}]|[QqGg][{_toned('UuIi')}]"
    f"|^ | $|  |[\t\n\u000b\f\r\u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def canonical_name(value: str) -> str:
    """A person's full name as stored and compared: NFC, single spaces, the tone marks of oa, oe, uy
    on the first vowel ("Thuý" -> "Thúy", "HOÀ" -> "HÒA"). Idempotent; case is kept."""
    text = unicodedata.normalize("NFD", normalize_name(value))
    for regex, replacement in _TONE_REGEXES:
        text = regex.sub(replacement, text)
    return unicodedata.normalize("NFC", text)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_regex(pattern: str) -> str:
    """A pattern as a PostgreSQL string: its characters are literal (the \\u escapes above are Python's),
    and PostgreSQL's advanced regular expressions read the constructs used here (bracket ranges,
    look-around, \\1 back-references) as Python's re does."""
    return "E" + _sql_literal(pattern.replace("\\", "\\\\"))


def _name_canonical_body() -> str:
    text = f"normalize(btrim(regexp_replace(normalize(name, NFC), {_sql_regex(_SPACE)}, ' ', 'g')), NFD)"
    for pattern, replacement in _TONE_RULES:
        text = f"regexp_replace({text}, {_sql_regex(pattern)}, {_sql_regex(replacement)}, 'g')"
    return f"normalize({text}, NFC)"


# IMMUTABLE so that an index or a generated column may use it; PARALLEL SAFE for the national update.
NAME_CANONICAL_SQL = (
    "CREATE OR REPLACE FUNCTION vn_name_canonical(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
    f"PARALLEL SAFE AS $$ SELECT {_name_canonical_body()} $$"
)


def name_canonical_update_sql(table: str) -> str:
    """The UPDATE that puts a table's stored full names in the canonical form (migrations): only the
    candidates are passed to the function, only the names that change are written."""
    candidate = "E" + _sql_literal(NAME_CANONICAL_CANDIDATE.replace("\\", "\\\\"))
    # The table name comes from the migrations, never from a user.
    return (f"UPDATE {table} SET full_name = vn_name_canonical(full_name) "  # noqa: S608
            f"WHERE (full_name ~ {candidate} OR full_name IS NOT NFC NORMALIZED) "
            f"AND full_name <> vn_name_canonical(full_name)")


def century_gender_digit(date_of_birth: dt.date, gender: str) -> str:
    """The 4th digit an ID number must carry for this birth year and gender ('M' or 'F')."""
    century_index = CENTURY_INDEX[date_of_birth.year // 100]
    return str(century_index * 2 + (1 if gender == "F" else 0))


def id_number_errors(id_number: str, *, date_of_birth: dt.date | None = None,
                     gender: str | None = None) -> list[str]:
    """Every reason this ID number is not valid for this person, as sentences for the user.

    Returns an empty list for a valid number. Checks the structure, and where the date of birth
    and gender are known, that digits 4-6 agree with them.
    """
    if not _DIGITS_12.fullmatch(id_number or ""):
        if id_number and id_number.isdigit() and len(id_number) < 12:
            return [_("Số định danh phải có 12 chữ số (có thể Excel đã bỏ số 0 ở đầu: thử '%(fixed)s').")
                    % {"fixed": id_number.zfill(12)}]
        return [_("Số định danh phải gồm đúng 12 chữ số.")]
    errors = []
    if id_number[:3] not in legacy_province_codes():
        errors.append(_("Ba chữ số đầu '%(code)s' không phải là mã tỉnh nơi đăng ký khai sinh hợp lệ.")
                      % {"code": id_number[:3]})
    if date_of_birth is not None and gender in ("M", "F"):
        if date_of_birth.year // 100 in CENTURY_INDEX:
            expected = century_gender_digit(date_of_birth, gender)
            if id_number[3] != expected:
                errors.append(_("Chữ số thứ 4 (%(got)s) không khớp với giới tính và thế kỷ sinh (cần %(want)s).")
                              % {"got": id_number[3], "want": expected})
        if id_number[4:6] != f"{date_of_birth.year % 100:02d}":
            errors.append(_("Chữ số thứ 5-6 (%(got)s) không khớp với năm sinh %(year)s.")
                          % {"got": id_number[4:6], "year": date_of_birth.year})
    return errors


def validate_id_number(id_number: str, *, date_of_birth=None, gender=None) -> None:
    """Raise Django's ValidationError (for model clean) when the number is invalid."""
    from django.core.exceptions import ValidationError

    errors = id_number_errors(id_number, date_of_birth=date_of_birth, gender=gender)
    if errors:
        raise ValidationError({"id_number": errors})


def mask_id_number(id_number: str | None) -> str:
    """001*******45: the province prefix and last two digits stay, for telling records apart."""
    if not id_number:
        return ""
    if len(id_number) < 6:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 5) + id_number[-2:]


def identity_validate_or_raise(*, id_number: str | None, date_of_birth, gender) -> None:
    """For services: an invalid ID number is refused with an AppError naming the field."""
    if not id_number:
        return
    errors = id_number_errors(id_number, date_of_birth=date_of_birth, gender=gender)
    if errors:
        from .exceptions import AppError

        raise AppError(gettext("Số định danh cá nhân: %(value)s") % {"value": errors[0]}, code="invalid", details={"id_number": errors})


# Said to a user who may not see full ID numbers and typed one (an upload cell, an API field, a
# form): whatever the number, the same words, so that the answer tells nothing about it.
ID_NUMBER_NOT_ALLOWED = ("không được nhập: chỉ người dùng được xem đầy đủ số định danh mới được nhập hoặc sửa số "
                         "định danh; hãy để trống cột này (số đã có trên hồ sơ được giữ nguyên)")
# Nine digits or more in a row: an ID number, perhaps with its leading zeros lost or a digit too many
# (a pupil code such as HS0000000001 is masked too: better than a number let through).
_LONG_DIGITS = re.compile(r"\d{9,}")


def mask_digits(text: str | None) -> str:
    """Every ID-number-like run of digits in a free text (a typed value, a message quoting it) masked as an
    ID number is: for showing uploads and messages to users who may not see full numbers."""
    return _LONG_DIGITS.sub(lambda m: mask_id_number(m.group(0)), text or "")


def identity_initial_status(*, id_number: str | None, date_of_birth, gender) -> str:
    """The status of a new or re-identified person: a record without a valid ID number is never
    sent to the registry (invalid_id); the others wait for it (queued)."""
    if not id_number or id_number_errors(id_number, date_of_birth=date_of_birth, gender=gender):
        return VerificationStatus.INVALID_ID
    return VerificationStatus.QUEUED


# The population registry's fields in words (verification_mismatch_fields holds their names).
FIELD_LABELS = {"full_name": "họ và tên", "date_of_birth": "ngày sinh", "gender": "giới tính",
                "id_number": "số định danh"}


# Failed verifications a school fixes on the record's form (ERROR is the registry's outage: retried on
# its own, nothing to fix).
FIXABLE_STATUSES = (VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND, VerificationStatus.INVALID_ID)


def fix_reasons(person, *, missing: list[str], may_see_id_numbers: bool) -> list[str]:
    """What the edit form of a record on the school's to-do list says on top: why its verification
    failed (a record without a number is told so by `missing`), then the required data it lacks."""
    reasons = []
    if person.verification_status in FIXABLE_STATUSES and person.id_number:
        reasons.append(verification_failure_reason(person))
    reasons += [str(reason) for reason in missing]
    return reasons if may_see_id_numbers else [mask_digits(reason) for reason in reasons]


def verification_failure_reason(person) -> str:
    """Why a pupil's or staff member's verification failed, and what to do about it, in plain
    Vietnamese: the failures page and the school's to-do list say the same. The fix is the record's
    "Sửa" form (students:edit, teachers:edit); saving it sends the record to be checked again."""
    status = person.verification_status
    if status == VerificationStatus.MISMATCH:
        fields = ", ".join(FIELD_LABELS.get(f, f) for f in person.verification_mismatch_fields) or _("thông tin")
        return _("Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: %(fields)s. Hãy đối chiếu với giấy "
                 "khai sinh hoặc thẻ căn cước rồi bấm Sửa để sửa hồ sơ; hệ thống sẽ tự kiểm tra lại.") % {
            "fields": fields}
    if status == VerificationStatus.NOT_FOUND:
        return _("Không tìm thấy số định danh này trong Cơ sở dữ liệu quốc gia về dân cư. Hãy kiểm tra lại từng "
                 "chữ số với thẻ căn cước hoặc giấy khai sinh rồi bấm Sửa để sửa hồ sơ.")
    if status == VerificationStatus.INVALID_ID:
        if not person.id_number:
            return _("Hồ sơ chưa có số định danh cá nhân. Hãy bấm Sửa để bổ sung số định danh 12 chữ số.")
        errors = id_number_errors(person.id_number, date_of_birth=person.date_of_birth, gender=person.gender)
        return _("Số định danh không hợp lệ nên chưa được gửi đi kiểm tra: %(why)s") % {
            "why": " ".join(errors) or _("hãy kiểm tra lại số định danh.")}
    if status == VerificationStatus.ERROR:
        return _("Chưa kiểm tra được vì Cơ sở dữ liệu quốc gia về dân cư tạm thời không phản hồi. Hệ thống sẽ tự "
                 "thử lại, bạn không cần làm gì.")
    return ""
