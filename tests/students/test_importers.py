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
from edu_portal.common.models import current_school_year, school_year_label
from geo.ethnicity import ethnic_groups_read, ethnicity_lookup_build
from students.importers import PHYSICAL, PUPILS, RESULTS, parse_subject_scores, validate_row
from students.models import Student
from students.services import student_withdraw, transfer_request_create
from tests.factories import SchoolFactory, make_student, real_identity, teaching_every_grade

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
                       "birth_province_id": "01", "grade": 3, "class_name": "3A",
                       "id_number_missing_reason": "", "id_number_missing_note": ""}


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
def test_names_in_nfd_or_with_stray_spaces_become_the_same_canonical_name(words, form, space):
    written = unicodedata.normalize(form, space + space.join(words) + space)
    cleaned, errors = validate_row({**GOOD, "full_name": written}, context=CTX)
    assert errors == []
    # ... and in the one tone placement names are stored in ("Hoà" is "Hòa": identity.canonical_name).
    assert cleaned["full_name"] == unicodedata.normalize("NFC", " ".join(words)).replace("Hoà", "Hòa")


@given(st.text(min_size=1, max_size=20))
def test_exported_cells_never_start_a_formula(text):
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


GRADE7 = ("Ngữ văn: 8; Toán học: 8,5; Tiếng Anh: 8; GDCD: 9; Lịch sử và Địa lý: 8; KHTN: 8,3; Công nghệ: 7,5; "
          "Tin học: 8; Thể dục: Đạt; Nghệ thuật: Đạt; HĐTN: Đạt; Nội dung giáo dục của địa phương: Đạt")
GRADE3 = ("Tiếng Việt: Hoàn thành tốt, 9; Toán: HTT, 10; Đạo đức: HTT; Tự nhiên và Xã hội: HTT; Tiếng Anh: HTT, 9; "
          "Tin học và Công nghệ: HTT, 9; Giáo dục thể chất: HTT; Âm nhạc: HTT; Mĩ thuật: HTT; "
          "Hoạt động trải nghiệm: HTT")


def result_row(pupil, **changes):
    return {"pupil_code": pupil.pupil_code, "school_year": "", "term": "Học kỳ I", "learning_rating": "",
            "conduct_rating": "Tốt", "subject_scores": GRADE7, **changes}


def resolve_results(school, *rows):
    """validate_row then resolve, as the upload does: [(cleaned, state, {column: reason})]."""
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school,
                        school_year=current_school_year(), today=TODAY)
    batch = []
    for n, row in enumerate(rows, start=2):
        cleaned, errors = RESULTS.validate_row(row, context=ctx)
        assert errors == [], errors
        batch.append((n, cleaned))
    return [(cleaned, state, {e.column: e.reason for e in errors})
            for _, cleaned, state, errors in RESULTS.resolve(batch, context=ctx)]


def test_result_cells_parse_both_scales():
    assert parse_subject_scores("Toán: 8,5; Giáo dục thể chất: Đạt")[0] == {"Toán": 8.5, "Giáo dục thể chất": "Đạt"}
    assert parse_subject_scores("Toán: Hoàn thành tốt, 9; Tiếng Việt: HT, 7; Đạo đức: HTT")[0] == {
        "Toán": {"rating": "Hoàn thành tốt", "test": 9}, "Tiếng Việt": {"rating": "Hoàn thành", "test": 7},
        "Đạo đức": "Hoàn thành tốt"}
    assert parse_subject_scores("Toán: 11")[0] is None
    assert parse_subject_scores("Toán 8")[0] is None
    assert parse_subject_scores("Toán: HTT, 8,5")[0] is None   # periodic tests are whole numbers
    row = {"pupil_code": "HS1", "school_year": "2025-2026", "term": "Học kỳ II", "learning_rating": "",
           "conduct_rating": "Tốt", "subject_scores": ""}
    _, errors = RESULTS.validate_row(row, context=CTX)
    assert [e.column for e in errors] == ["learning_rating"]    # nothing to derive it from
    _, errors = RESULTS.validate_row({**row, "learning_rating": "Hoàn thành xuất sắc"}, context=CTX)
    assert errors == []


@pytest.mark.django_db
def test_an_empty_rating_is_derived_and_subject_names_are_the_official_ones(school_a):
    teaching_every_grade(school_a)
    pupil = make_student(school_a, grade=7, class_name="7A", **real_identity(serial=9101, year=2014))
    [(cleaned, state, errors)] = resolve_results(school_a, result_row(pupil))
    assert (state, errors, cleaned["learning_rating"]) == ("new", {}, "tot")
    assert cleaned["subject_scores"]["Toán"] == 8.5 and cleaned["subject_scores"]["Giáo dục thể chất"] == "Đạt"
    assert "Hoạt động trải nghiệm, hướng nghiệp" in cleaned["subject_scores"]


@pytest.mark.django_db
def test_a_rating_that_contradicts_the_scores_is_a_row_error_naming_the_rule(school_a):
    teaching_every_grade(school_a)
    pupil = make_student(school_a, grade=7, class_name="7A", **real_identity(serial=9102, year=2014))
    low = GRADE7.replace("Toán học: 8,5", "Toán học: 6")
    [(_, state, errors)] = resolve_results(school_a, result_row(pupil, learning_rating="Tốt", subject_scores=low))
    assert state is None
    assert errors["learning_rating"] == ("Kết quả học tập 'Tốt' không khớp điểm các môn: theo TT 22/2021, Điều 9: "
                                         "môn Toán 6,0 < 6,5 → Khá")
    [(_, state, errors)] = resolve_results(school_a, result_row(pupil, learning_rating="Khá", subject_scores=low))
    assert (state, errors) == ("new", {})


@pytest.mark.django_db
def test_the_scale_follows_the_pupils_grade_in_a_multi_level_school():
    school = SchoolFactory(level="multi_level", province_id="01")
    small = make_student(school, grade=3, class_name="3A", **real_identity(serial=9103, year=2018))
    big = make_student(school, grade=7, class_name="7A", **real_identity(serial=9104, year=2014))
    rows = resolve_results(school, result_row(small, subject_scores=GRADE3, term="Cả năm"),
                           result_row(small, subject_scores="", learning_rating="Tốt"),
                           result_row(big, subject_scores="", learning_rating="Hoàn thành tốt"),
                           result_row(big, subject_scores=GRADE3, term="Học kỳ II"))
    assert rows[0][0]["learning_rating"] == "hoan_thanh_xuat_sac" and rows[0][2] == {}
    assert "thang của lớp 3" in rows[1][2]["learning_rating"]
    assert "thang của lớp 7" in rows[2][2]["learning_rating"]
    assert "không có trong chương trình lớp 7" in rows[3][2]["subject_scores"]


@pytest.mark.django_db
def test_preschool_pupils_and_pupils_without_an_enrollment_that_year_have_no_results(school_a):
    teaching_every_grade(school_a)
    school = SchoolFactory(level="preschool", province_id="01")
    child = make_student(school, grade=0, class_name="Lá", **real_identity(serial=9105, year=current_school_year() - 5))
    [(_, state, errors)] = resolve_results(school, result_row(child, learning_rating="Hoàn thành", subject_scores=""))
    assert state is None and "mầm non" in errors["pupil_code"]
    pupil = make_student(school_a, grade=7, class_name="7A", **real_identity(serial=9106, year=2014))
    last_year = school_year_label(current_school_year() - 1)
    [(_, state, errors)] = resolve_results(school_a, result_row(pupil, school_year=last_year))
    assert f"không có ghi danh năm học {last_year}" in errors["pupil_code"]


@pytest.mark.django_db
def test_the_year_row_is_computed_from_both_terms_in_the_file(school_a):
    teaching_every_grade(school_a)
    pupil = make_student(school_a, grade=7, class_name="7A", **real_identity(serial=9107, year=2014))
    second = GRADE7.replace("Toán học: 8,5", "Toán học: 8")
    first = GRADE7.replace("Toán học: 8,5", "Toán học: 6")
    year, one, two = resolve_results(
        school_a, result_row(pupil, term="Cả năm", subject_scores="", learning_rating=""),
        result_row(pupil, subject_scores=first), result_row(pupil, term="Học kỳ II", subject_scores=second))
    assert year[2] == {} and year[0]["subject_scores"]["Toán"] == 7.3     # (6 + 2 × 8) / 3
    assert year[0]["learning_rating"] == "tot"
    wrong = GRADE7.replace("Toán học: 8,5", "Toán học: 7")
    year, _, _ = resolve_results(
        school_a, result_row(pupil, term="Cả năm", subject_scores=wrong),
        result_row(pupil, subject_scores=first), result_row(pupil, term="Học kỳ II", subject_scores=second))
    assert "(HK I + 2 × HK II) / 3 = (6,0 + 2 × 8,0) / 3 = 7,3" in year[2]["subject_scores"]


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


@pytest.mark.django_db
def test_an_upload_row_for_a_pupil_in_transit_is_a_row_error(school_a, school_b):
    pupil = make_student(school_a)
    transfer_request_create(scope=Scope.country(), user=None, to_school=school_b, pupil_code=pupil.pupil_code,
                            date_of_birth=pupil.date_of_birth, grade=3, class_name="3B")
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a,
                        school_year=current_school_year(), today=TODAY)
    row = {"pupil_code": pupil.pupil_code, "id_number": "", "full_name": "Tên Đã Đổi",
           "date_of_birth": pupil.date_of_birth, "gender": pupil.gender, "grade": 3, "class_name": "3A"}
    cleaned, errors = PUPILS.validate_row(row, context=ctx)
    assert errors == []
    [(_, _, state, errors)] = PUPILS.resolve([(2, cleaned)], context=ctx)
    assert state is None and errors[0].column == "pupil_code"
    assert "đang trong thủ tục chuyển trường" in errors[0].reason and school_b.name in errors[0].reason


@pytest.mark.django_db
def test_an_upload_row_for_a_pupil_awaiting_a_receiving_school_is_a_row_error(school_a):
    pupil = make_student(school_a)
    student_withdraw(scope=Scope.country(), student=pupil, status="transferred_out", left_on=dt.date.today())
    ctx = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=school_a,
                        school_year=current_school_year(), today=TODAY)
    row = {"pupil_code": pupil.pupil_code, "id_number": "", "full_name": pupil.full_name,
           "date_of_birth": pupil.date_of_birth, "gender": pupil.gender, "grade": 3, "class_name": "3A"}
    cleaned, _ = PUPILS.validate_row(row, context=ctx)
    [(_, _, state, errors)] = PUPILS.resolve([(2, cleaned)], context=ctx)
    assert state is None and "chờ trường tiếp nhận" in errors[0].reason
