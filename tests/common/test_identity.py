"""The personal ID number validator and name normalisation, property-based."""
import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edu_portal.common.identity import (
    CENTURY_START,
    birth_abroad_prefixes,
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


@given(st.integers(0, 999).map(lambda n: f"{n:03d}").filter(lambda c: c not in legacy_province_codes()),
       st.integers(0, 999_999_999))
def test_unknown_province_code_is_refused(code, rest):
    errors = id_number_errors(f"{code}{rest:09d}")
    assert any("mã tỉnh" in e for e in errors)


def test_leading_zero_dropped_by_excel_suggests_fix():
    errors = id_number_errors("1315000123")
    assert "001315000123" in errors[0]


def test_prefixes_are_the_63_provinces_and_the_countries_of_births_registered_abroad():
    # Thông tư 07/2016/TT-BCA: Phụ lục I (63 provinces, 001-096) and Phụ lục II (countries, 101-295).
    abroad = birth_abroad_prefixes()
    assert abroad == {str(code) for code in range(101, 296)}
    assert len(legacy_province_codes() - abroad) == 63
    assert all(code < "100" for code in legacy_province_codes() - abroad)


# Thông tư 59/2021/TT-BCA, Điều 7 (as Thông tư 07/2016/TT-BCA, Điều 7 khoản 2): the 4th digit for a
# man / a woman born in each century, written out from the circular rather than from the code.
CIRCULAR_CENTURY_DIGITS = {19: ("0", "1"), 20: ("2", "3"), 21: ("4", "5"), 22: ("6", "7"), 23: ("8", "9")}
births_1900_2399 = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2399, 12, 31))


@given(births_1900_2399, genders)
def test_century_digit_follows_the_circular_from_1900_to_2399(born, gender):
    male, female = CIRCULAR_CENTURY_DIGITS[born.year // 100]
    assert century_gender_digit(born, gender) == (female if gender == "F" else male)


@given(codes, births_1900_2399, genders, st.integers(0, 999_999))
def test_numbers_of_every_century_read_back_to_their_century_and_gender(code, born, gender, serial):
    number = make_id(code, born, gender, serial)
    assert id_number_errors(number, date_of_birth=born, gender=gender) == []
    digit = int(number[3])
    assert CENTURY_START[digit // 2] + int(number[4:6]) == born.year
    assert ("F" if digit % 2 else "M") == gender


@pytest.mark.parametrize("digit", ["8", "9"])
def test_digit_8_or_9_is_the_2300s_never_the_1800s(digit):
    gender = "F" if digit == "9" else "M"
    number = f"001{digit}05123456"
    assert id_number_errors(number, date_of_birth=dt.date(2305, 1, 1), gender=gender) == []
    assert id_number_errors(number, date_of_birth=dt.date(1905, 1, 1), gender=gender)


@given(st.sampled_from(sorted(birth_abroad_prefixes())), births, genders, st.integers(0, 999_999))
def test_numbers_of_births_registered_abroad_are_valid(code, born, gender, serial):
    # e.g. 175: Hoa Kỳ, 232: Nhật Bản (Thông tư 07/2016/TT-BCA, Phụ lục II)
    assert id_number_errors(make_id(code, born, gender, serial), date_of_birth=born, gender=gender) == []


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
