"""The personal ID number validator and name normalisation, property-based."""
import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from edu_portal.common.identity import (
    century_gender_digit,
    id_number_errors,
    legacy_province_codes,
    mask_id_number,
    normalize_name,
)

codes = st.sampled_from(sorted(legacy_province_codes()))
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
genders = st.sampled_from(["M", "F"])


def make_id(code, born, gender, serial):
    return f"{code}{century_gender_digit(born, gender)}{born.year % 100:02d}{serial:06d}"


@given(codes, births, genders, st.integers(0, 999_999))
def test_well_formed_numbers_are_valid(code, born, gender, serial):
    assert id_number_errors(make_id(code, born, gender, serial), date_of_birth=born, gender=gender) == []


@given(codes, births, genders, st.integers(0, 999_999))
def test_wrong_gender_is_refused(code, born, gender, serial):
    other = "F" if gender == "M" else "M"
    errors = id_number_errors(make_id(code, born, gender, serial), date_of_birth=born, gender=other)
    assert any("Chữ số thứ 4" in e for e in errors)


@given(codes, births, genders, st.integers(0, 999_999), st.integers(1, 99))
def test_wrong_year_is_refused(code, born, gender, serial, shift):
    other_year = dt.date(1900 + (born.year - 1900 + shift) % 200, 1, 1)
    errors = id_number_errors(make_id(code, born, gender, serial), date_of_birth=other_year, gender=gender)
    assert errors


@given(st.text(max_size=15).filter(lambda s: not (len(s) == 12 and s.isdigit())))
def test_anything_not_twelve_digits_is_refused(value):
    assert id_number_errors(value)


@given(st.integers(0, 99).map(lambda n: f"{n:03d}").filter(lambda c: c not in legacy_province_codes()),
       st.integers(0, 999_999_999))
def test_unknown_province_code_is_refused(code, rest):
    errors = id_number_errors(f"{code}{rest:09d}")
    assert any("mã tỉnh" in e for e in errors)


def test_leading_zero_dropped_by_excel_suggests_fix():
    errors = id_number_errors("1315000123")
    assert "001315000123" in errors[0]


def test_there_are_63_legacy_provinces():
    assert len(legacy_province_codes()) == 63


names = st.lists(st.sampled_from(["Nguyễn", "Thị", "Ánh", "Đặng", "Quỳnh", "Hoà", "Hòa", "Lê", "Ngọc"]),
                 min_size=1, max_size=4)


@given(names, st.sampled_from(["NFC", "NFD"]), st.sampled_from([" ", "  ", "\t", "\u00a0"]))
def test_names_normalise_to_nfc_with_single_spaces(parts, form, gap):
    raw = gap + gap.join(unicodedata.normalize(form, p) for p in parts) + gap
    assert normalize_name(raw) == " ".join(unicodedata.normalize("NFC", p) for p in parts)


@given(st.from_regex(r"\d{12}", fullmatch=True))
def test_mask_keeps_prefix_and_last_two(number):
    masked = mask_id_number(number)
    assert masked[:3] == number[:3] and masked[-2:] == number[-2:] and masked[3:10] == "*" * 7
