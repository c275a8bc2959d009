"""The pupil, result and measurement row rules shared by uploads and the API."""
import datetime as dt
import unicodedata
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.scope import Scope
from edu_portal.common.identity import century_gender_digit
from edu_portal.common.importing import EXCEL_EPOCH, ImportContext, neutralise, parse_date, parse_id_number
from geo.ethnicity import ethnic_groups_read, ethnicity_lookup_build
from students.importers import PHYSICAL, PUPILS, RESULTS, parse_subject_scores, validate_row
from students.models import Student
from tests.factories import make_student

TODAY = dt.date(2026, 11, 25)
PRIMARY = SimpleNamespace(pk=1, level="primary", province_id="01")
CTX = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=PRIMARY, school_year=2026, today=TODAY,
                    references={"province_codes": frozenset({"01", "79"}),  # reference data without a database
                                "ethnicity_lookup": ethnicity_lookup_build(ethnic_groups_read())})

GOOD = {"pupil_code": "HS0001", "id_number": "001316000001", "full_name": "Nguyễn Thị An",
        "date_of_birth": "15/03/2016", "gender": "Nữ", "ethnicity": "", "birth_province": "1",
        "grade": "3", "class_name": "3A"}


def errors_of(**changes):
    cleaned, errors = validate_row({**GOOD, **changes}, context=CTX)
    return {e.column: e.reason for e in errors}


def test_a_good_row_is_cleaned():
    cleaned, errors = validate_row(GOOD, context=CTX)
    assert errors == []
    assert cleaned == {"pupil_code": "HS0001", "id_number": "001316000001", "full_name": "Nguyễn Thị An",
                       "date_of_birth": dt.date(2016, 3, 15), "gender": "F", "ethnicity": "Kinh",
                       "birth_province_id": "01", "grade": 3, "class_name": "3A"}


@pytest.mark.parametrize("changes,column,fragment", [
    ({"date_of_birth": "31/02/2015"}, "date_of_birth", "không phải là ngày hợp lệ"),
    ({"date_of_birth": "01/01/2027"}, "date_of_birth", "ngoài khoảng"),
    ({"full_name": "Nguyễn 2"}, "full_name", "họ tên"),
    ({"full_name": "   "}, "full_name", "không được để trống"),
    ({"gender": "X"}, "gender", "Nam, Nữ"),
    ({"grade": "7"}, "grade", "từ 1 đến 5 với cấp học"),
    ({"birth_province": "99"}, "birth_province", "mã tỉnh"),
    ({"id_number": "001216000001"}, "id_number", "Chữ số thứ 4"),
    ({"id_number": "001315000001"}, "id_number", "năm sinh 2016"),
    ({"pupil_code": "HS 0001/2"}, "pupil_code", "chữ và số"),
    ({"class_name": "=1+2"}, "class_name", "công thức"),
])
def test_each_rule_names_its_column(changes, column, fragment):
    errors = errors_of(**changes)
    assert column in errors and fragment in errors[column], errors


def test_an_empty_id_number_is_allowed_and_excel_serials_are_dates():
    cleaned, errors = validate_row({**GOOD, "id_number": "", "date_of_birth": 42444.0, "grade": 3.0}, context=CTX)
    assert errors == [] and cleaned["id_number"] is None
    assert cleaned["date_of_birth"] == dt.date(2016, 3, 15) and cleaned["grade"] == 3


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_in_every_written_form_parse_to_the_same_day(day):
    serial = (day - EXCEL_EPOCH).days
    forms = [day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day.year}", day.strftime("%d-%m-%Y"),
             day.strftime("%d.%m.%Y"), day.isoformat(), serial, float(serial), str(serial),
             dt.datetime.combine(day, dt.time())]
    for form in forms:
        assert parse_date(form) == (day, None), form


@given(st.integers(1, 31), st.integers(1, 12), st.integers(1901, 2099))
def test_impossible_dates_are_refused_never_shifted(d, m, y):
    try:
        expected = dt.date(y, m, d)
    except ValueError:
        expected = None
    value, reason = parse_date(f"{d:02d}/{m:02d}/{y}")
    assert value == expected and (reason is None) == (expected is not None)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2020, 12, 31)), st.sampled_from("MF"),
       st.integers(0, 999_999), st.sampled_from(["001", "079", "004"]))
def test_valid_id_numbers_pass_and_dropped_zeros_get_the_fix(born, gender, serial, prefix):
    number = f"{prefix}{century_gender_digit(born, gender)}{born.year % 100:02d}{serial:06d}"
    assert parse_id_number(number, date_of_birth=born, gender=gender) == (number, None)
    assert parse_id_number(f" {number} ", date_of_birth=born, gender=gender) == (number, None)
    dropped = number.lstrip("0")
    value, reason = parse_id_number(dropped, date_of_birth=born, gender=gender)
    assert value is None and f"'{number}'" in reason
    # Excel hands the same number over as a float.
    value, reason = parse_id_number(float(dropped), date_of_birth=born, gender=gender)
    assert value is None and f"'{number}'" in reason


@given(st.lists(st.sampled_from(["Nguyễn", "Thị", "Hoà", "Ngọc", "Ánh", "Đặng", "Hương", "Quỳnh", "Ưng", "Yến"]),
                min_size=2, max_size=5), st.sampled_from(["NFC", "NFD"]), st.sampled_from([" ", "  ", "\t", "\u00a0"]))
def test_names_in_nfd_or_with_stray_spaces_become_the_same_nfc_name(words, form, space):
    written = unicodedata.normalize(form, space + space.join(words) + space)
    cleaned, errors = validate_row({**GOOD, "full_name": written}, context=CTX)
    assert errors == []
    assert cleaned["full_name"] == unicodedata.normalize("NFC", " ".join(words))


@given(st.text(min_size=1, max_size=20))
def test_exported_cells_never_start_a_formula(text):
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_result_ratings_follow_the_school_level():
    row = {"pupil_code": "HS1", "school_year": "2025-2026", "term": "Học kỳ II", "learning_rating": "Tốt",
           "conduct_rating": "Tốt", "subject_scores": "Toán: 8,5; Tiếng Việt: 9; Đạo đức: Hoàn thành"}
    _, errors = RESULTS.validate_row(row, context=CTX)
    assert [e.column for e in errors] == ["learning_rating"]  # primary schools rate Hoàn thành tốt/...
    cleaned, errors = RESULTS.validate_row({**row, "learning_rating": "Hoàn thành tốt"}, context=CTX)
    assert errors == [] and (cleaned["school_year"], cleaned["term"]) == (2025, 2)
    assert cleaned["subject_scores"] == {"Toán": 8.5, "Tiếng Việt": 9.0, "Đạo đức": "Hoàn thành"}
    assert parse_subject_scores("Toán: 11")[0] is None
    assert parse_subject_scores("Toán 8")[0] is None


@pytest.mark.django_db
def test_measurements_derive_bmi_and_nutrition_for_the_pupil(school_a):
    pupil = make_student(school_a)
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a, school_year=2026, today=TODAY)
    row = {"pupil_code": pupil.pupil_code, "measured_on": "15/09/2025", "height_cm": "128,5", "weight_kg": "26"}
    cleaned, errors = PHYSICAL.validate_row(row, context=ctx)
    assert errors == [] and cleaned["bmi"] == Decimal("15.7")
    [(_, cleaned, state, errors)] = PHYSICAL.resolve([(2, cleaned)], context=ctx)
    assert state == "new" and errors == []
    assert cleaned["nutrition_status"] in {"underweight", "normal", "overweight", "obese"}
    assert cleaned["bmi_z_score"] is not None


@pytest.mark.parametrize("typed,stored", [("", "Kinh"), ("Khmer", "Khơ-me"), ("H'Mông", "HMông"), ("ê đê", "Ê-đê")])
def test_an_ethnicity_spelling_is_stored_as_the_official_name(typed, stored):
    cleaned, errors = validate_row({**GOOD, "ethnicity": typed}, context=CTX)
    assert errors == [] and cleaned["ethnicity"] == stored


def test_an_unknown_ethnicity_names_where_to_find_the_list():
    errors = errors_of(ethnicity="Kinh Việt Nam")
    assert "54 dân tộc" in errors["ethnicity"] and "Mã hợp lệ" in errors["ethnicity"]


@pytest.mark.django_db
def test_an_alias_on_record_shows_as_a_change_to_the_official_name(school_a):
    existing = make_student(school_a, ethnicity="Tày")
    Student.objects.filter(pk=existing.pk).update(ethnicity="Khmer")  # stored before the list existed
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a, school_year=2026, today=TODAY)
    row = {"pupil_code": existing.pupil_code, "id_number": "", "full_name": existing.full_name,
           "date_of_birth": existing.date_of_birth, "gender": existing.gender, "ethnicity": "Khmer",
           "grade": 3, "class_name": "3A"}
    cleaned, errors = PUPILS.validate_row(row, context=ctx)
    assert errors == [] and cleaned["ethnicity"] == "Khơ-me"
    [(_, cleaned, state, errors)] = PUPILS.resolve([(2, cleaned)], context=ctx)
    assert (state, errors) == ("changed", [])


@pytest.mark.django_db
def test_resolve_classifies_against_the_database(school_a, school_b):
    existing = make_student(school_a)
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a, school_year=2026, today=TODAY)
    row = {"pupil_code": existing.pupil_code, "id_number": "", "full_name": existing.full_name,
           "date_of_birth": existing.date_of_birth, "gender": existing.gender, "grade": 3, "class_name": "3A"}
    cleaned, errors = PUPILS.validate_row(row, context=ctx)
    [(_, cleaned, state, errors)] = PUPILS.resolve([(2, cleaned)], context=ctx)
    assert (state, errors) == ("unchanged", [])
    assert cleaned["id_number"] == existing.id_number  # an empty cell keeps the number on record
    other = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_b, school_year=2026, today=TODAY)
    [(_, _, state, errors)] = PUPILS.resolve([(2, dict(cleaned))], context=other)
    assert state is None and "chuyển trường" in errors[0].reason and school_a.name in errors[0].reason


@pytest.mark.parametrize("written", ["2026", 2026, 2026.0, " 2026 "])
def test_a_bare_year_in_the_school_year_cell_is_refused_with_the_expected_form(written):
    # "2026" could be 2025-2026 as well as 2026-2027: the row says how to write it, never guesses.
    row = {"pupil_code": "HS1", "school_year": written, "term": "Học kỳ II", "learning_rating": "Hoàn thành tốt",
           "conduct_rating": "Tốt", "subject_scores": "Toán: 8,5"}
    _, errors = RESULTS.validate_row(row, context=CTX)
    wrong = [e for e in errors if e.column == "school_year"]
    assert len(wrong) == 1
    message = wrong[0].message("Năm học")
    assert "YYYY-YYYY" in message and "2025-2026" in message and "2026-2027" in message
    cleaned, errors = RESULTS.validate_row({**row, "school_year": "2025-2026"}, context=CTX)
    assert "school_year" not in {e.column for e in errors}


@pytest.mark.parametrize("written", ["2025-2027", "2025-2024", "25-26", "2025/26"])
def test_a_school_year_not_of_two_following_years_is_refused(written):
    row = {"pupil_code": "HS1", "school_year": written, "term": "Học kỳ II", "learning_rating": "Hoàn thành tốt",
           "conduct_rating": "Tốt", "subject_scores": "Toán: 8,5"}
    _, errors = RESULTS.validate_row(row, context=CTX)
    assert any(e.column == "school_year" and "YYYY-YYYY" in e.reason for e in errors)
