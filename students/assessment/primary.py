"""Kết quả giáo dục of primary pupils (Thông tư 27/2020/TT-BGDĐT, Điều 10 khoản 2).

Every subject is rated Hoàn thành tốt / Hoàn thành / Chưa hoàn thành; Tiếng Việt, Toán, Ngoại
ngữ 1, Tin học và Công nghệ, Lịch sử và Địa lí and Khoa học also have a periodic test scored 1-10
(Điều 7). Phẩm chất and năng lực are one rating in our records (conduct_rating: Tốt / Đạt / Cần cố
gắng), so "các phẩm chất, năng lực đạt mức Tốt" is read on it.

The circular sets the four levels at the end of the year, on the end-of-year tests. A term row is
rated by the same rule on that term's tests, so that a term's figures read like the year's.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HTT, HT, CHT = "Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"
SUBJECT_RATINGS = (HTT, HT, CHT)
ABBREVIATIONS = {"htt": HTT, "ht": HT, "cht": CHT}
CONDUCT_GOOD, CONDUCT_PASS = "Tốt", "Đạt"

EXCELLENT, COMPLETED_WELL, COMPLETED, NOT_COMPLETED = 3, 2, 1, 0
LEVEL_NAMES = {EXCELLENT: "Hoàn thành xuất sắc", COMPLETED_WELL: "Hoàn thành tốt", COMPLETED: "Hoàn thành",
               NOT_COMPLETED: "Chưa hoàn thành"}
CIRCULAR = "TT 27/2020, Điều 10 khoản 2"


@dataclass(frozen=True)
class Entry:
    rating: str            # HTT | HT | CHT
    test: int | None = None


@dataclass(frozen=True)
class Outcome:
    level: int
    rule: str


def _need(entries: Mapping[str, Entry], conduct: str, level: int) -> str | None:
    """Why the results fall short of `level` (the first failing condition), or None."""
    ratings_ok, conduct_ok, test_floor = {
        EXCELLENT: ((HTT,), (CONDUCT_GOOD,), 9),
        COMPLETED_WELL: ((HTT,), (CONDUCT_GOOD,), 7),
        COMPLETED: ((HTT, HT), (CONDUCT_GOOD, CONDUCT_PASS), 5),
    }[level]
    for name, entry in sorted(entries.items()):
        if entry.rating not in ratings_ok:
            return f"môn {name} {entry.rating}"
    if conduct not in conduct_ok:
        return f"phẩm chất, năng lực {conduct}"
    low = [f"bài kiểm tra {name} {e.test} < {test_floor}" for name, e in sorted(entries.items())
           if e.test is not None and e.test < test_floor]
    return "; ".join(low) or None


def rate(entries: Mapping[str, Entry], conduct: str) -> Outcome:
    """`conduct`: Tốt / Đạt / Cần cố gắng (the label)."""
    for level in (EXCELLENT, COMPLETED_WELL, COMPLETED):
        if _need(entries, conduct, level) is None:
            if level == EXCELLENT:
                why = "mọi môn Hoàn thành tốt, phẩm chất, năng lực Tốt, mọi bài kiểm tra từ 9 điểm"
            else:
                why = _need(entries, conduct, level + 1)
            return Outcome(level, f"{CIRCULAR}: {why} → {LEVEL_NAMES[level]}")
    return Outcome(NOT_COMPLETED,
                   f"{CIRCULAR}: {_need(entries, conduct, COMPLETED)} → {LEVEL_NAMES[NOT_COMPLETED]}")
