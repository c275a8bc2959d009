"""Kết quả học tập of THCS and THPT pupils (Thông tư 22/2021/TT-BGDĐT, Điều 9).

Levels are ordered integers (CHUA_DAT < DAT < KHA < TOT) so that "two levels below" and "the
adjacent level" of the adjustment rule are arithmetic. Scores are Decimals: the thresholds are
compared exactly ("từ 6,5 điểm trở lên"), never through binary floats.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CHUA_DAT, DAT, KHA, TOT = 0, 1, 2, 3
LEVEL_NAMES = {TOT: "Tốt", KHA: "Khá", DAT: "Đạt", CHUA_DAT: "Chưa đạt"}
PASS, FAIL = "Đạt", "Chưa đạt"     # a commented subject's rating
CIRCULAR = "TT 22/2021, Điều 9"

TEN = Decimal(10)
_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Outcome:
    level: int
    rule: str


def fmt(score: Decimal) -> str:
    """6.5 -> '6,5' (Vietnamese decimal comma, one decimal as in the school records)."""
    return f"{score:.1f}".replace(".", ",")


def _need(scored, commented, level) -> str | None:
    """Why the scores fall short of `level` (the first condition of Điều 9 that fails), or None."""
    failed = [name for name, ok in commented.items() if not ok]
    values = sorted(scored.items(), key=lambda kv: (kv[1], kv[0]))
    if level in (TOT, KHA):
        floor, high = (Decimal("6.5"), Decimal("8.0")) if level == TOT else (Decimal("5.0"), Decimal("6.5"))
        if failed:
            return f"môn {failed[0]} Chưa đạt"
        low = [f"môn {n} {fmt(v)} < {fmt(floor)}" for n, v in values if v < floor]
        if low:
            return "; ".join(low)
        count = sum(v >= high for _, v in values)
        if count < 6:
            return f"chỉ {count} môn từ {fmt(high)} trở lên (cần 6)"
        return None
    # DAT
    if len(failed) > 1:
        return f"{len(failed)} môn đánh giá bằng nhận xét Chưa đạt ({', '.join(sorted(failed))})"
    low = [f"môn {n} {fmt(v)} < 3,5" for n, v in values if v < Decimal("3.5")]
    if low:
        return "; ".join(low)
    count = sum(v >= 5 for _, v in values)
    if count < 6:
        return f"chỉ {count} môn từ 5,0 trở lên (cần 6)"
    return None


def base_level(scored: Mapping[str, Decimal], commented: Mapping[str, bool]) -> int:
    """Điều 9 (the four levels, before the adjustment): scored subjects' averages and commented
    subjects' Đạt (True) / Chưa đạt (False)."""
    for level in (TOT, KHA, DAT):
        if _need(scored, commented, level) is None:
            return level
    return CHUA_DAT


def rate(scored: Mapping[str, Decimal], commented: Mapping[str, bool]) -> Outcome:
    """The level of a term or the year, with the adjustment of Điều 9: a level two or more below
    Tốt or Khá only because of one subject is raised to the adjacent level. "Only because of one
    subject" is read as: had that subject alone met everything (10 điểm / Đạt), the level would
    have been Tốt or Khá."""
    scored = {n: Decimal(str(v)) for n, v in scored.items()}
    level = base_level(scored, commented)
    name = LEVEL_NAMES[level]
    shortfall = _need(scored, commented, level + 1) if level < TOT else None
    because = f"{shortfall} → {name}" if shortfall else _met(level)
    for subject in sorted([*scored, *commented]):
        if subject in scored:
            would = base_level({**scored, subject: TEN}, commented)
        else:
            would = base_level(scored, {**commented, subject: True})
        if would in (TOT, KHA) and would >= level + 2:
            lifted = level + 1
            return Outcome(lifted, f"{CIRCULAR}: {because}; nâng một mức vì chỉ do một môn ({subject}) "
                                   f"→ {LEVEL_NAMES[lifted]}")
    return Outcome(level, f"{CIRCULAR}: {because}")


def _met(level: int) -> str:
    return {
        TOT: "mọi môn nhận xét Đạt, mọi môn từ 6,5 và ít nhất 6 môn từ 8,0 → Tốt",
        KHA: "→ Khá", DAT: "→ Đạt", CHUA_DAT: "→ Chưa đạt",
    }[level]


def year_average(first: Decimal | float, second: Decimal | float) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3 (Thông tư 22/2021 Điều 9), rounded to one decimal
    half up, as school records are kept."""
    exact = (Decimal(str(first)) + 2 * Decimal(str(second))) / 3
    return exact.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def year_average_exact(first: Decimal | float, second: Decimal | float) -> Decimal:
    return (Decimal(str(first)) + 2 * Decimal(str(second))) / 3
