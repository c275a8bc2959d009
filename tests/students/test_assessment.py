"""Learning ratings by Thông tư 22/2021 Điều 9 (THCS, THPT) and Thông tư 27/2020 Điều 10 (tiểu học),
and the 2018 programme's subject catalogue; cases written from the circulars' clauses."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from students.assessment import (
    AssessmentError,
    check,
    derive,
    result_assess,
    subject_lookup,
    subjects_for,
    year_average,
    year_subjects,
)
from students.models import LearningRating as LR

# Toán first: the scores given to grade7() go to Toán, then the other scored subjects in order.
SCORED_7 = sorted((s.name for s in subjects_for(7) if s.compulsory and s.scored), key=lambda n: n != "Toán")
COMMENTED_7 = [s.name for s in subjects_for(7) if s.compulsory and not s.scored]


def grade7(scores=(), fails=0, default=8.0):
    """Every compulsory subject of grade 7: the first scores given in order, the rest `default`;
    commented subjects Đạt except the first `fails` of them."""
    values = list(scores) + [default] * (len(SCORED_7) - len(scores))
    out = dict(zip(SCORED_7, values, strict=True))
    out.update({n: ("Chưa đạt" if i < fails else "Đạt") for i, n in enumerate(COMMENTED_7)})
    return out


def rating7(*scores, fails=0, default=8.0):
    return derive(grade=7, term=1, subjects=grade7(scores, fails, default), conduct="tot").rating


def test_the_catalogue_knows_scored_and_commented_subjects_by_grade():
    assert len(SCORED_7) == 8 and set(COMMENTED_7) == {
        "Giáo dục thể chất", "Nghệ thuật", "Hoạt động trải nghiệm, hướng nghiệp", "Nội dung giáo dục của địa phương"}
    eleven = {s.name: s for s in subjects_for(11)}
    assert eleven["Giáo dục quốc phòng và an ninh"].scored and eleven["Lịch sử"].compulsory
    assert not eleven["Vật lí"].compulsory and not eleven["Âm nhạc"].scored
    three = {s.name: s for s in subjects_for(3)}
    assert three["Ngoại ngữ 1"].compulsory and three["Ngoại ngữ 1"].has_periodic_test(3)
    assert not {s.name: s for s in subjects_for(2)}["Ngoại ngữ 1"].compulsory
    assert "Khoa học" not in three and "Tự nhiên và Xã hội" in three
    assert {s.name for s in subjects_for(4) if s.periodic_test_from_grade} == {
        "Tiếng Việt", "Toán", "Ngoại ngữ 1", "Tin học và Công nghệ", "Lịch sử và Địa lí", "Khoa học"}
    assert subjects_for(0) == []


@pytest.mark.parametrize("written,grade,official", [
    ("Toán học", 7, "Toán"), ("Vật lý", 11, "Vật lí"), ("Hóa học", 10, "Hoá học"), ("Địa lý", 12, "Địa lí"),
    ("Lịch sử và Địa lý", 8, "Lịch sử và Địa lí"), ("Mỹ thuật", 3, "Mĩ thuật"), ("Thể dục", 9, "Giáo dục thể chất"),
    ("GDCD", 6, "Giáo dục công dân"), ("KHTN", 7, "Khoa học tự nhiên"), ("Tiếng Anh", 4, "Ngoại ngữ 1"),
    ("Văn", 10, "Ngữ văn"), ("Ngữ Văn", 6, "Ngữ văn"), ("GDQP-AN", 10, "Giáo dục quốc phòng và an ninh"),
    ("GDQP&AN", 12, "Giáo dục quốc phòng và an ninh"), ("GD KT&PL", 11, "Giáo dục kinh tế và pháp luật"),
    ("HĐTN", 7, "Hoạt động trải nghiệm, hướng nghiệp"), ("HĐTN", 2, "Hoạt động trải nghiệm"),
    ("  toán  ", 7, "Toán"), ("NGỮ VĂN", 8, "Ngữ văn"),
    ("Ho\u0301a ho\u0323c", 10, "Hoá học"),  # NFD, as macOS writes it
])
def test_old_spellings_map_to_the_official_name(written, grade, official):
    subject, why = subject_lookup(written, grade)
    assert why is None and subject.name == official


def test_a_subject_outside_the_grade_names_the_grade():
    subject, why = subject_lookup("Vật lý", 7)
    assert subject is None and "lớp 7" in why
    assert subject_lookup("Khoa học", 3)[1] and "lớp 3" in subject_lookup("Khoa học", 3)[1]
    assert "chương trình" in subject_lookup("Thiên văn", 10)[1]
    with pytest.raises(AssessmentError, match="lớp 7"):
        derive(grade=7, term=1, subjects={**grade7(), "Vật lí": 8}, conduct="tot")


def test_every_compulsory_subject_is_needed_and_the_value_must_fit_the_assessment():
    partial = grade7()
    del partial["Toán"]
    with pytest.raises(AssessmentError, match="thiếu môn bắt buộc của lớp 7: Toán"):
        derive(grade=7, term=1, subjects=partial, conduct="tot")
    with pytest.raises(AssessmentError, match="đánh giá bằng nhận xét"):
        derive(grade=7, term=1, subjects={**grade7(), "Giáo dục thể chất": 8}, conduct="tot")
    with pytest.raises(AssessmentError, match="điểm trung bình"):
        derive(grade=7, term=1, subjects={**grade7(), "Toán": "Đạt"}, conduct="tot")


# --- Điều 9: the four levels, each threshold at and just below -------------------------------

def test_tot_needs_six_subjects_at_8_and_every_subject_at_6_5():
    assert rating7(8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 6.5, 6.5) == LR.GOOD
    assert rating7(8.0, 8.0, 8.0, 8.0, 8.0, 7.9, 6.5, 6.5) == LR.FAIR     # only 5 at 8,0
    assert rating7(8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 6.4, 6.5) == LR.FAIR     # one below 6,5


def test_kha_needs_six_subjects_at_6_5_and_every_subject_at_5():
    assert rating7(6.5, 6.5, 6.5, 6.5, 6.5, 6.5, 5.0, 5.0) == LR.FAIR
    assert rating7(6.5, 6.5, 6.5, 6.5, 6.5, 6.4, 5.0, 5.0) == LR.PASS     # only 5 at 6,5
    assert rating7(6.5, 6.5, 6.5, 6.5, 6.5, 6.5, 4.9, 5.0) == LR.PASS     # one below 5,0 (no lift: Khá is one up)


def test_dat_needs_six_subjects_at_5_and_none_below_3_5():
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 3.5, 3.5) == LR.PASS
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 4.9, 3.5, 3.5) == LR.FAIL     # only 5 at 5,0
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 3.4, 3.5) == LR.FAIL     # one below 3,5; not lifted: without
    # it the level would be Đạt, not Tốt or Khá (the lift is only from the levels of points a, b)
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 3.4, 3.4) == LR.FAIL


def test_one_commented_subject_chua_dat_is_allowed_at_dat_only():
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, fails=1) == LR.PASS
    assert rating7(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, fails=2) == LR.FAIL


# --- Điều 9: the lift of a level lowered two or more by one subject only -------------------------

def test_tot_brought_to_chua_dat_by_one_score_is_lifted_to_dat():
    derivation = derive(grade=7, term=1, subjects=grade7([3.0], default=9.0), conduct="tot")
    assert derivation.rating == LR.PASS
    assert "TT 22/2021, Điều 9" in derivation.rule and "3,0 < 3,5" in derivation.rule
    assert "nâng một mức" in derivation.rule and derivation.rule.endswith("→ Đạt")


def test_kha_brought_to_chua_dat_by_one_score_is_lifted_to_dat():
    assert rating7(3.0, default=6.5) == LR.PASS


def test_tot_brought_to_dat_by_one_subject_is_lifted_to_kha():
    assert rating7(4.0, default=9.0) == LR.FAIR                 # Toán 4,0: Đạt by the rule, Tốt otherwise
    assert rating7(default=9.0, fails=1) == LR.FAIR             # one commented subject Chưa đạt


def test_two_low_subjects_are_not_lifted():
    assert rating7(3.0, 3.0, default=9.0) == LR.FAIL
    assert rating7(4.0, 4.0, default=9.0) == LR.PASS
    assert rating7(default=9.0, fails=2) == LR.FAIL


def test_a_level_one_below_is_not_lifted():
    assert rating7(6.0, default=9.0) == LR.FAIR                 # Tốt → Khá: one level only


# --- the year average ------------------------------------------------------------------------------

@pytest.mark.parametrize("first,second,year", [
    (6.0, 8.0, "7.3"), (7.0, 8.0, "7.7"), (5.5, 7.0, "6.5"), (8.0, 8.0, "8.0"),
    (6.5, 8.0, "7.5"),    # 22,5 / 3 = 7,5 exactly
    (6.6, 6.7, "6.7"),    # 20,0 / 3 = 6,666… → 6,7
    (6.2, 6.5, "6.4"),    # 19,2 / 3 = 6,4
    (6.1, 6.7, "6.5"),    # 19,5 / 3 = 6,5
    (7.4, 6.3, "6.7"),    # 20,0 / 3
    (7.1, 6.7, "6.8"),    # 20,5 / 3 = 6,8333…
    (6.9, 6.8, "6.8"),    # 20,5 / 3
    (5.0, 6.35, "5.9"),   # 17,7 / 3 = 5,9
])
def test_year_average_is_hk1_plus_twice_hk2_over_three_rounded_half_up(first, second, year):
    assert year_average(first, second) == Decimal(year)


def test_half_up_rounding_at_the_half():
    assert year_average(Decimal("6.05"), Decimal("6.05")) == Decimal("6.1")   # 6,05 → 6,1 (not to even 6,0)


def test_year_results_from_the_two_terms_and_contradictions_beyond_rounding():
    first, second = grade7([6.0]), grade7([8.0], fails=1)
    year = year_subjects(grade=7, first=first, second=second)
    assert year["Toán"] == 7.3 and year["Giáo dục thể chất"] == "Chưa đạt"  # the HK II rating
    rating, stored = result_assess(grade=7, term=0, learning_rating="", conduct_rating="tot", subjects={},
                                   first=first, second=second)
    assert stored == year and rating == derive(grade=7, term=0, subjects=year, conduct="tot").rating
    result_assess(grade=7, term=0, learning_rating="", conduct_rating="tot", first=first, second=second,
                  subjects={**year, "Toán": 7.3})
    with pytest.raises(AssessmentError, match=r"\(HK I \+ 2 × HK II\) / 3 = \(6,0 \+ 2 × 8,0\) / 3 = 7,3"):
        result_assess(grade=7, term=0, learning_rating="", conduct_rating="tot", first=first, second=second,
                      subjects={**year, "Toán": 7.0})


# --- Thông tư 27/2020 Điều 10 khoản 2 -------------------------------------------------------------------

def grade4(rating="Hoàn thành tốt", test=9, **changes):
    out = {s.name: ({"rating": rating, "test": test} if s.has_periodic_test(4) else rating)
           for s in subjects_for(4) if s.compulsory}
    out.update(changes)
    return out


@pytest.mark.parametrize("subjects,conduct,expected", [
    (grade4(test=9), "tot", LR.EXCELLENT),
    (grade4(test=10, **{"Toán": {"rating": "HTT", "test": 8}}), "tot", LR.COMPLETED_WELL),   # one test < 9
    (grade4(test=9), "dat", LR.COMPLETED),                                                  # conduct Đạt
    (grade4(test=7), "tot", LR.COMPLETED_WELL),
    (grade4(test=7, **{"Đạo đức": "HT"}), "tot", LR.COMPLETED),                             # one subject HT
    (grade4(test=9, **{"Khoa học": {"rating": "HTT", "test": 6}}), "tot", LR.COMPLETED),     # one test < 7
    (grade4(rating="HT", test=5), "dat", LR.COMPLETED),
    (grade4(test=9, **{"Toán": {"rating": "HTT", "test": 4}}), "tot", LR.NOT_COMPLETED),   # one test < 5
    (grade4(test=9, **{"Mĩ thuật": "CHT"}), "tot", LR.NOT_COMPLETED),
    (grade4(test=9), "can_co_gang", LR.NOT_COMPLETED),
])
def test_primary_four_levels(subjects, conduct, expected):
    derivation = derive(grade=4, term=0, subjects=subjects, conduct=conduct)
    assert derivation.rating == expected and derivation.rule.startswith("TT 27/2020, Điều 10 khoản 2")


def test_primary_tests_are_required_where_the_circular_sets_them():
    with pytest.raises(AssessmentError, match="Toán lớp 4 cần điểm bài kiểm tra định kì"):
        derive(grade=4, term=0, subjects=grade4(Toán="HTT"), conduct="tot")
    with pytest.raises(AssessmentError, match="không có bài kiểm tra định kì"):
        derive(grade=4, term=0, subjects=grade4(**{"Đạo đức": {"rating": "HTT", "test": 9}}), conduct="tot")
    with pytest.raises(AssessmentError, match="số nguyên từ 1 đến 10"):
        derive(grade=4, term=0, subjects=grade4(test=0), conduct="tot")


def test_the_scale_follows_the_grade_and_preschool_has_none():
    with pytest.raises(AssessmentError, match="mầm non"):
        derive(grade=0, term=1, subjects=grade4(), conduct="tot")
    with pytest.raises(AssessmentError, match="thang của lớp 4"):
        result_assess(grade=4, term=1, learning_rating="tot", conduct_rating="tot", subjects={})
    with pytest.raises(AssessmentError, match="thang của lớp 8") as e:
        result_assess(grade=8, term=1, learning_rating="", conduct_rating="can_co_gang", subjects={})
    assert e.value.field == "conduct_rating"


def test_check_names_the_rule_when_a_given_rating_contradicts_the_scores():
    message = check(grade=7, term=1, subjects=grade7([6.0]), conduct="tot", rating="tot")
    assert message.startswith("Kết quả học tập 'Tốt' không khớp điểm các môn: theo TT 22/2021, Điều 9")
    assert "môn Toán 6,0 < 6,5" in message and message.endswith("→ Khá")
    assert check(grade=7, term=1, subjects=grade7([6.0]), conduct="tot", rating="kha") is None


# --- properties -----------------------------------------------------------------------------------

scores = st.decimals(min_value=0, max_value=10, places=1)
commented = st.lists(st.booleans(), min_size=len(COMMENTED_7), max_size=len(COMMENTED_7))
LEVEL = {LR.FAIL: 0, LR.PASS: 1, LR.FAIR: 2, LR.GOOD: 3}


def subjects7(values, passes):
    return {**dict(zip(SCORED_7, [float(v) for v in values], strict=True)),
            **{n: "Đạt" if ok else "Chưa đạt" for n, ok in zip(COMMENTED_7, passes, strict=True)}}


@settings(max_examples=300, deadline=None)
@given(st.lists(scores, min_size=len(SCORED_7), max_size=len(SCORED_7)), commented)
def test_the_derived_rating_never_contradicts_the_scores(values, passes):
    derivation = derive(grade=7, term=1, subjects=subjects7(values, passes), conduct="tot")
    rating = derivation.rating
    low_commented = passes.count(False)
    if rating == LR.GOOD:        # never reached by the lift: Tốt is always earned
        assert min(values) >= Decimal("6.5") and sum(v >= 8 for v in values) >= 6 and low_commented == 0
    if rating == LR.FAIR:        # earned, or Tốt but for one subject
        earned = min(values) >= 5 and sum(v >= Decimal("6.5") for v in values) >= 6 and low_commented == 0
        assert earned or sum(v < Decimal("6.5") for v in values) + low_commented == 1
    dat_earned = min(values) >= Decimal("3.5") and sum(v >= 5 for v in values) >= 6 and low_commented <= 1
    if rating != LR.FAIL and not dat_earned:   # only the lift of a Chưa đạt caused by one subject
        assert rating == LR.PASS and "nâng một mức" in derivation.rule
    if rating == LR.FAIL:
        assert not (min(values) >= Decimal("3.5") and sum(v >= 5 for v in values) >= 6 and low_commented <= 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(scores, min_size=len(SCORED_7), max_size=len(SCORED_7)), commented,
       st.integers(0, len(SCORED_7) - 1), scores)
def test_raising_a_score_never_lowers_the_rating(values, passes, which, new):
    before = derive(grade=7, term=1, subjects=subjects7(values, passes), conduct="tot").rating
    raised = list(values)
    raised[which] = max(values[which], new)
    after = derive(grade=7, term=1, subjects=subjects7(raised, passes), conduct="tot").rating
    assert LEVEL[after] >= LEVEL[before]


@settings(max_examples=300, deadline=None)
@given(st.lists(scores, min_size=len(SCORED_7), max_size=len(SCORED_7)), commented)
def test_the_lift_is_one_level_and_never_above_kha(values, passes):
    derivation = derive(grade=7, term=1, subjects=subjects7(values, passes), conduct="tot")
    if "nâng một mức" in derivation.rule:
        assert derivation.rating in (LR.PASS, LR.FAIR)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["HTT", "HT", "CHT"]), min_size=11, max_size=11),
       st.lists(st.integers(1, 10), min_size=6, max_size=6), st.sampled_from(["tot", "dat", "can_co_gang"]))
def test_primary_levels_never_contradict_the_results(ratings, tests, conduct):
    names = [s for s in subjects_for(4) if s.compulsory]
    it = iter(tests)
    subjects = {s.name: ({"rating": r, "test": next(it)} if s.has_periodic_test(4) else r)
                for s, r in zip(names, ratings, strict=True)}
    rating = derive(grade=4, term=0, subjects=subjects, conduct=conduct).rating
    all_htt = all(r == "HTT" for r in ratings)
    if rating == LR.EXCELLENT:
        assert all_htt and conduct == "tot" and min(tests) >= 9
    if rating == LR.COMPLETED_WELL:
        assert all_htt and conduct == "tot" and min(tests) >= 7 and min(tests) < 9
    if rating == LR.NOT_COMPLETED:
        assert "CHT" in ratings or conduct == "can_co_gang" or min(tests) < 5
