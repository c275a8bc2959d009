"""One door to the ratings: the scale follows the PUPIL'S grade (a school can teach several levels),
subject results are put in the catalogue's form, the learning rating is derived and an uploaded one
checked against it.

    derive(grade=7, term=1, subjects={"Toán": 8.5, ..., "Giáo dục thể chất": "Đạt"}, conduct="tot")
    -> Derivation(rating=LearningRating.GOOD, rule="TT 22/2021, Điều 9: ...")

Subject results must name every compulsory subject of the grade: a rating derived from part of a
pupil's subjects would say nothing. Problems a school can fix raise AssessmentError (Vietnamese).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from students.models import (
    PRIMARY_CONDUCT,
    PRIMARY_LEARNING,
    SECONDARY_CONDUCT,
    SECONDARY_LEARNING,
    ConductRating,
    LearningRating,
)

from . import primary, secondary
from .subjects import PRIMARY_GRADES, SECONDARY_GRADES, missing_compulsory, name_key, subject_lookup

PRIMARY_LEVELS = {primary.EXCELLENT: LearningRating.EXCELLENT, primary.COMPLETED_WELL: LearningRating.COMPLETED_WELL,
                  primary.COMPLETED: LearningRating.COMPLETED, primary.NOT_COMPLETED: LearningRating.NOT_COMPLETED}
SECONDARY_LEVELS = {secondary.TOT: LearningRating.GOOD, secondary.KHA: LearningRating.FAIR,
                    secondary.DAT: LearningRating.PASS, secondary.CHUA_DAT: LearningRating.FAIL}
RATING_NAMES = {**{r: secondary.LEVEL_NAMES[k] for k, r in SECONDARY_LEVELS.items()},
                **{r: primary.LEVEL_NAMES[k] for k, r in PRIMARY_LEVELS.items()}}
# Conduct labels as the circulars write them, whatever the language of the page.
_CONDUCT_LABELS = {ConductRating.GOOD: "Tốt", ConductRating.FAIR: "Khá", ConductRating.PASS: "Đạt",
                   ConductRating.FAIL: "Chưa đạt", ConductRating.NEEDS_EFFORT: "Cần cố gắng"}
_COMMENTED = {"đạt": secondary.PASS, "d": secondary.PASS, "đ": secondary.PASS,
              "chưa đạt": secondary.FAIL, "cđ": secondary.FAIL}
_PRIMARY_RATINGS = {**{name_key(r): r for r in primary.SUBJECT_RATINGS}, **primary.ABBREVIATIONS}
# The year's score of a subject may differ from (HK I + 2 × HK II) / 3 by the rounding of the
# term averages it was computed from, not more.
YEAR_TOLERANCE = Decimal("0.1")


class AssessmentError(ValueError):
    """Subject results or a grade the rules cannot rate; the message is for the school. `field`
    names what is wrong: "grade", "learning_rating", "conduct_rating" or "subject_scores"."""

    def __init__(self, message: str, field: str = "subject_scores"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Derivation:
    rating: LearningRating
    rule: str


def is_primary(grade: int) -> bool:
    """Thông tư 27/2020 for grades 1-5, Thông tư 22/2021 for 6-12; preschool has no results."""
    if grade in PRIMARY_GRADES:
        return True
    if grade in SECONDARY_GRADES:
        return False
    if grade == 0:
        raise AssessmentError("học sinh mầm non (khối 0) không có kết quả học tập theo TT 22/2021 hay TT 27/2020",
                              "grade")
    raise AssessmentError(f"khối lớp {grade} không phải là khối 1-12", "grade")


def learning_ratings_for(grade: int) -> set[LearningRating]:
    return PRIMARY_LEARNING if is_primary(grade) else SECONDARY_LEARNING


def conduct_ratings_for(grade: int) -> set[ConductRating]:
    return PRIMARY_CONDUCT if is_primary(grade) else SECONDARY_CONDUCT


def subjects_canonical(*, grade: int, subjects: Mapping) -> dict:
    """Subject results in the stored form, named as the catalogue names them:
    secondary {"Toán": 8.5, "Giáo dục thể chất": "Đạt"}; primary
    {"Toán": {"rating": "Hoàn thành tốt", "test": 9}, "Đạo đức": "Hoàn thành tốt"}.
    Raises AssessmentError naming every problem (unknown subject, subject outside the grade,
    score where a rating is due, missing periodic test, missing compulsory subject)."""
    on_primary = is_primary(grade)
    out, problems = {}, []
    for raw_name, value in subjects.items():
        subject, why = subject_lookup(raw_name, grade)
        if why:
            problems.append(why)
            continue
        if subject.name in out:
            problems.append(f"môn {subject.name} có hai lần ('{raw_name}')")
            continue
        stored, why = (_primary_value if on_primary else _secondary_value)(subject, value, grade)
        if why:
            problems.append(why)
        else:
            out[subject.name] = stored
    if not problems and subjects:
        codes = {subject_lookup(n, grade)[0].code for n in out}
        missing = missing_compulsory(grade, codes)
        if missing:
            problems.append(f"thiếu môn bắt buộc của lớp {grade}: {', '.join(s.name for s in missing)}")
    if problems:
        raise AssessmentError("; ".join(problems))
    return out


def _secondary_value(subject, value, grade):
    if subject.scored:
        score = _decimal(value)
        if score is None or not 0 <= score <= 10:
            return None, f"môn {subject.name} cần điểm trung bình từ 0 đến 10 (TT 22/2021 Điều 5), không phải '{value}'"
        return float(score.quantize(Decimal("0.1"))), None
    rating = _COMMENTED.get(name_key(value)) if isinstance(value, str) else None
    if rating is None:
        return None, f"môn {subject.name} đánh giá bằng nhận xét: Đạt hoặc Chưa đạt (TT 22/2021 Điều 5), không phải '{value}'"
    return rating, None


def _primary_value(subject, value, grade):
    if isinstance(value, Mapping):
        rating_raw, test_raw = value.get("rating"), value.get("test")
    else:
        rating_raw, test_raw = value, None
    rating = _PRIMARY_RATINGS.get(name_key(rating_raw)) if isinstance(rating_raw, str) else None
    if rating is None:
        return None, (f"môn {subject.name} cần mức Hoàn thành tốt, Hoàn thành hoặc Chưa hoàn thành (TT 27/2020), "
                      f"không phải '{rating_raw}'")
    if subject.has_periodic_test(grade):
        test = _decimal(test_raw) if test_raw not in (None, "") else None
        if test is None:
            return None, f"môn {subject.name} lớp {grade} cần điểm bài kiểm tra định kì (TT 27/2020 Điều 7)"
        # Điều 7 khoản 2: thang điểm 10, không cho điểm 0, không cho điểm thập phân.
        if test != test.to_integral_value() or not 1 <= test <= 10:
            return None, f"điểm kiểm tra định kì môn {subject.name} là số nguyên từ 1 đến 10, không phải '{test_raw}'"
        return {"rating": rating, "test": int(test)}, None
    if test_raw not in (None, ""):
        return None, f"môn {subject.name} lớp {grade} không có bài kiểm tra định kì (TT 27/2020 Điều 7)"
    return rating, None


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _conduct_label(grade: int, conduct) -> str:
    for member, label in _CONDUCT_LABELS.items():
        if conduct in (member, member.value) or (isinstance(conduct, str) and name_key(conduct) == name_key(label)):
            if member not in conduct_ratings_for(grade):
                break
            return label
    allowed = "/".join(label for m, label in _CONDUCT_LABELS.items() if m in conduct_ratings_for(grade))
    shown = next((label for m, label in _CONDUCT_LABELS.items() if conduct in (m, m.value)), conduct)
    raise AssessmentError(f"kết quả rèn luyện '{shown}' không thuộc thang của lớp {grade} ({allowed})",
                          "conduct_rating")


def derive(*, grade: int, term: int, subjects: Mapping, conduct) -> Derivation:
    """The learning rating the subject results give, by the pupil's grade. `term` (0 = the year,
    1, 2) changes nothing in the rule itself: a year row carries the year's averages (see
    year_subjects) or the end-of-year tests."""
    if term not in (0, 1, 2):
        raise AssessmentError(f"học kỳ {term} không hợp lệ")
    canonical = subjects_canonical(grade=grade, subjects=subjects)
    if not canonical:
        raise AssessmentError("không có kết quả môn học nào để xếp loại")
    if is_primary(grade):
        entries = {n: primary.Entry(v["rating"], v["test"]) if isinstance(v, dict) else primary.Entry(v)
                   for n, v in canonical.items()}
        outcome = primary.rate(entries, _conduct_label(grade, conduct))
        return Derivation(PRIMARY_LEVELS[outcome.level], outcome.rule)
    _conduct_label(grade, conduct)  # the scale is checked, though conduct does not enter Điều 9
    scored = {n: Decimal(str(v)) for n, v in canonical.items() if not isinstance(v, str)}
    commented = {n: v == secondary.PASS for n, v in canonical.items() if isinstance(v, str)}
    outcome = secondary.rate(scored, commented)
    return Derivation(SECONDARY_LEVELS[outcome.level], outcome.rule)


def check(*, grade: int, term: int, subjects: Mapping, conduct, rating) -> str | None:
    """The message when a given learning rating contradicts the subject results, else None."""
    derived = derive(grade=grade, term=term, subjects=subjects, conduct=conduct)
    given = LearningRating(rating)
    if given == derived.rating:
        return None
    what = "kết quả các môn" if is_primary(grade) else "điểm các môn"
    return f"Kết quả học tập '{_label(given)}' không khớp {what}: theo {derived.rule}"


def _label(rating: LearningRating) -> str:
    """The circulars' wording, whatever the language of the page (the message quotes the rule)."""
    return RATING_NAMES[LearningRating(rating)]


def year_subjects(*, grade: int, first: Mapping, second: Mapping) -> dict:
    """A secondary pupil's year results from the two terms (stored form): ĐTBmcn =
    (ĐTBmhkI + 2 × ĐTBmhkII) / 3 for a scored subject, the HK II rating for a commented one
    (TT 22/2021 Điều 9); a subject taught in one term only keeps that term's result.
    Primary year results are the end-of-year ratings and tests themselves: nothing to compute."""
    if is_primary(grade):
        raise AssessmentError("kết quả cả năm tiểu học là đánh giá cuối năm (TT 27/2020), không tính từ hai học kỳ")
    one = subjects_canonical(grade=grade, subjects=first)
    two = subjects_canonical(grade=grade, subjects=second)
    out = {}
    for name in [*one, *(n for n in two if n not in one)]:
        a, b = one.get(name), two.get(name)
        if a is None or b is None:
            out[name] = b if a is None else a
        elif isinstance(b, str) or isinstance(a, str):
            out[name] = b
        else:
            out[name] = float(secondary.year_average(a, b))
    return out


def year_check(*, grade: int, year: Mapping, first: Mapping, second: Mapping) -> str | None:
    """The message when a year row's subject results contradict the two terms' beyond rounding."""
    given = subjects_canonical(grade=grade, subjects=year)
    one = subjects_canonical(grade=grade, subjects=first)
    two = subjects_canonical(grade=grade, subjects=second)
    problems = []
    for name, value in given.items():
        a, b = one.get(name), two.get(name)
        if a is None or b is None:
            continue
        if isinstance(value, str):
            if value != b:
                problems.append(f"môn {name} cả năm '{value}' khác mức học kỳ II '{b}'")
            continue
        exact = secondary.year_average_exact(a, b)
        if abs(Decimal(str(value)) - exact) >= YEAR_TOLERANCE:
            problems.append(
                f"môn {name} cả năm {secondary.fmt(Decimal(str(value)))} khác (HK I + 2 × HK II) / 3 = "
                f"({secondary.fmt(Decimal(str(a)))} + 2 × {secondary.fmt(Decimal(str(b)))}) / 3 = "
                f"{secondary.fmt(secondary.year_average(a, b))}")
    if not problems:
        return None
    return f"Điểm cả năm không khớp hai học kỳ theo TT 22/2021 Điều 9: {'; '.join(problems)}"


def result_assess(*, grade: int, term: int, learning_rating: str, conduct_rating, subjects: Mapping,
                  first: Mapping | None = None, second: Mapping | None = None) -> tuple[LearningRating, dict]:
    """One pupil's result row by the rules of the pupil's grade, for every door that writes results
    (upload, services, API): returns the learning rating (derived when empty) and the subject
    results in stored form. A secondary year row (term 0) without subject results gets the year
    averages of `first` and `second` (the two terms' stored results) when both are known; with
    them, it must agree with them. Without any subject results the rating is required and kept as
    given. Raises AssessmentError(message, field)."""
    primary_scale = is_primary(grade)
    _conduct_label(grade, conduct_rating)
    if learning_rating:
        try:
            given = LearningRating(learning_rating)
        except ValueError:
            raise AssessmentError(f"kết quả học tập '{learning_rating}' không hợp lệ", "learning_rating") from None
        if given not in learning_ratings_for(grade):
            allowed = "/".join(name for r, name in RATING_NAMES.items() if r in learning_ratings_for(grade))
            raise AssessmentError(f"kết quả học tập '{RATING_NAMES[given]}' không thuộc thang của lớp {grade} "
                                  f"({allowed})", "learning_rating")
    canonical = subjects_canonical(grade=grade, subjects=subjects) if subjects else {}
    if term == 0 and not primary_scale and first and second:
        if canonical:
            why = year_check(grade=grade, year=canonical, first=first, second=second)
            if why:
                raise AssessmentError(why, "subject_scores")
        else:
            canonical = year_subjects(grade=grade, first=first, second=second)
    if not canonical:
        if not learning_rating:
            raise AssessmentError("kết quả học tập không được để trống khi không có điểm các môn", "learning_rating")
        return LearningRating(learning_rating), {}
    if not learning_rating:
        return derive(grade=grade, term=term, subjects=canonical, conduct=conduct_rating).rating, canonical
    why = check(grade=grade, term=term, subjects=canonical, conduct=conduct_rating, rating=learning_rating)
    if why:
        raise AssessmentError(why, "learning_rating")
    return LearningRating(learning_rating), canonical
