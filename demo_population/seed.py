"""seed_demo: a deterministic, realistic data set drawn from the demo population, loaded with COPY.

The plan (schools, their sizes and id ranges) is made first from the seed alone; then each
province is generated independently (its own random stream, its own id ranges), so the result
is the same whether one process or several build it, and provinces load in parallel.

Planted for verification: 2.5% of ID numbers are unknown to the registry (NOT_FOUND), 5.6% of the
known ones have a name or date of birth that differs from the registry (MISMATCH), 0.5% of
people have no ID number on file (invalid_id): about 91.6% MATCH, as the ministry reported.

Planted for the duplicate finder (issue 16): 0.3% of pupils are a child already entered in the
province, entered again (at another school, or twice at the same one) the way double entries
really differ: without the ID number, with one digit of it mistyped, the name typed without
diacritics or with the other tone placement ("Thuỷ"/"Thủy"), or day and month of birth swapped.
The pairs are written to demo_population_plantedduplicate: the truth, kept aside.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import random
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from students.assessment import derive, subjects_for
from students.models import Term
from students.nutrition import (
    OutsideReference,
    bmi_exact,
    bmi_of,
    height_for_age,
    nutrition_classify,
    value_for_z,
    who_lms,
)
from students.preschool import enrollment_age_group
from students.yearend import CONDUCT_PASS, PRIMARY_PASS, SECONDARY_PASS
from teachers.standards import qualification_standard

from .history import (
    COMPLETED_REASON,
    DROPOUT,
    TRANSITION,
    Flows,
    Step,
    birth_year,
    dropout_day,
    leaver_capacity,
)
from .names import ethnicity, full_name
from .truth import citizen_for, id_number_for

SCALES = {"demo": 80, "small": 600, "tenth": 5400, "national": 54000}
MISMATCH_SHARE = 0.056
NO_ID_SHARE = 0.005
DUPLICATE_SHARE = 0.003
DUPLICATE_POOL = 512  # candidates kept per birth year and province to be entered again
CONNECTED_SHARE = 17083 / 54000

# level: (share of schools, mean pupils per school, pupils per teacher, grades)
LEVELS = {
    "preschool": (0.280, 180, 12, (0,)),
    "primary": (0.280, 520, 20, (1, 2, 3, 4, 5)),
    "lower_secondary": (0.190, 540, 17, (6, 7, 8, 9)),
    "upper_secondary": (0.045, 1000, 18, (10, 11, 12)),
    "multi_level": (0.040, 630, 16, tuple(range(1, 13))),
    "continuing": (0.015, 360, 20, (10, 11, 12)),
}
LEVEL_NAMES = {"preschool": "Trường Mầm non", "primary": "Trường Tiểu học", "lower_secondary": "Trường THCS",
               "upper_secondary": "Trường THPT", "multi_level": "Trường Liên cấp",
               "continuing": "Trung tâm GDNN-GDTX"}
SUBJECTS = ["Toán", "Ngữ văn", "Tiếng Anh", "Vật lý", "Hóa học", "Sinh học", "Lịch sử", "Địa lý", "Tin học",
            "Giáo dục thể chất", "Âm nhạc", "Mỹ thuật"]
CLASS_SIZE = 35


@dataclass
class SchoolPlan:
    id: int
    code: str
    name: str
    level: str
    ownership: str
    province: str
    commune: str
    pupils: int
    staff: int
    results_share: float  # data completeness: share of pupils with results this year
    synced_days_ago: int | None
    first_student_id: int = 0
    first_staff_id: int = 0


@dataclass
class Geography:
    provinces: list[str]
    communes: dict[str, list[tuple[str, str]]]  # province -> [(code, name)]
    legacy: dict[str, list[str]]  # province -> legacy 3-digit codes


@dataclass
class Plan:
    schools: list[SchoolPlan] = field(default_factory=list)
    students: int = 0
    staff: int = 0
    years: int = 1  # school years seeded, the current one last
    # False: the past years get enrollments but no results (~5 GB a year at national size): what the
    # national bench loads on a disk of ~75 GB free (make bench-national). Their draws are made all the same,
    # so every other row is the one a full load writes.
    past_results: bool = True
    # Ids of the pupils who left before the current year, per province: from leaver_first, at most
    # leaver_room of them (demo_population.history.leaver_capacity).
    leaver_first: dict[str, int] = field(default_factory=dict)
    leaver_room: dict[str, int] = field(default_factory=dict)
    first_student: int = 1
    # A pupil has at most one enrollment a year, two results a year (the year's and the summer's, or
    # term 1) and one measurement: their ids are computed from the pupil's id in ranges reserved for
    # them (child_id).
    child_firsts: dict[str, int] = field(default_factory=lambda: {"enrollment": 1, "result": 1, "physical": 1})


# Children of a pupil per seeded year, for the id ranges.
CHILDREN_PER_YEAR = {"enrollment": 1, "result": 2}


def child_id(plan: Plan, table: str, sid: int, year_index: int = 0, k: int = 0) -> int:
    per_year = CHILDREN_PER_YEAR.get(table, 0)
    if not per_year:  # physical: the current year only
        return plan.child_firsts[table] + sid - plan.first_student
    return plan.child_firsts[table] + ((sid - plan.first_student) * plan.years + year_index) * per_year + k


def child_counts(plan: Plan) -> dict[str, int]:
    """How many ids each child table needs reserved."""
    return {"enrollment": plan.students * plan.years, "result": plan.students * plan.years * 2,
            "physical": plan.students}


def grades_of(school: SchoolPlan) -> tuple[int, ...]:
    return LEVELS[school.level][3]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _levels_complete(drawn: list[list]) -> None:
    """A province's pupils finish primary and go on: when the draw gave a province no lower or no upper
    secondary school (every real province has both), one of its schools of a level it has several of
    becomes one, so that the years of history have somewhere to go. The draws stay as they were: only
    these levels change, and no level a province has disappears from it."""
    for wanted in (("lower_secondary",), ("upper_secondary", "continuing")):
        levels = [d[0] for d in drawn]
        if set(wanted) & set(levels):
            continue
        for n in range(len(drawn) - 1, 0, -1):
            if levels.count(levels[n]) > 1:
                drawn[n][0] = wanted[0]
                break


def plan_make(*, n_schools: int, seed: int, geo: Geography, first_ids=(1, 1, 1), years: int = 3) -> Plan:
    """Schools for the whole country: at least one per province, the rest by number of communes; their
    sizes are the current year's. Each province's pupils who left before it (`years` > 1) get a block
    of ids after its schools'."""
    rng = random.Random(f"{seed}:plan")
    provinces = geo.provinces
    total_communes = sum(len(geo.communes[p]) for p in provinces)
    counts = {p: 1 for p in provinces}
    rest = max(0, n_schools - len(provinces))
    for p in provinces:
        counts[p] += int(rest * len(geo.communes[p]) / total_communes)
    for p in rng.sample(provinces, k=min(len(provinces), n_schools - sum(counts.values()))):
        counts[p] += 1
    plan = Plan(years=years, first_student=first_ids[1])
    school_id, student_id, staff_id = first_ids
    level_weights = {k: v[0] for k, v in LEVELS.items()}
    for p in provinces:
        used_names: dict[str, int] = {}
        drawn = []
        for n in range(counts[p]):
            # The first school of each province is a primary school: every province has one to show.
            level = "primary" if n == 0 else _pick(rng, level_weights)
            commune_code, commune_name = rng.choice(geo.communes[p])
            size, ratio = rng.uniform(0.45, 1.55), rng.uniform(0.85, 1.15)
            extra_staff = 1 + rng.randint(1, 2) + rng.randint(2, 4)
            roll = rng.random()
            synced = rng.randint(0, 29) if roll < CONNECTED_SHARE else (
                rng.randint(31, 400) if roll < 0.85 else None)
            completeness = rng.random()
            results_share = 1.0 if completeness < 0.7 else (rng.uniform(0.4, 0.95) if completeness < 0.92 else 0.0)
            ownership = _pick(rng, {"public": 0.85, "private": 0.10, "people_founded": 0.05})
            drawn.append([level, commune_code, commune_name, size, ratio, extra_staff, synced, results_share,
                          ownership])
        _levels_complete(drawn)
        for n, (level, commune_code, commune_name, size, ratio, extra_staff, synced, results_share,
                ownership) in enumerate(drawn):
            short = commune_name.split(" ", 1)[1] if " " in commune_name else commune_name
            base = f"{LEVEL_NAMES[level]} {short}"
            used_names[base] = used_names.get(base, 0) + 1
            name = base if used_names[base] == 1 else f"{base} số {used_names[base]}"
            _, mean, ptr, _ = LEVELS[level]
            pupils = max(40, int(mean * size))
            teachers = max(4, round(pupils / ptr * ratio))
            staff = teachers + extra_staff
            plan.schools.append(SchoolPlan(
                id=school_id, code=f"{p}{n + 1:06d}", name=name, level=level, ownership=ownership,
                province=p, commune=commune_code, pupils=pupils, staff=staff, results_share=results_share,
                synced_days_ago=synced, first_student_id=student_id, first_staff_id=staff_id))
            school_id += 1
            student_id += pupils
            staff_id += staff
        mine = [s for s in plan.schools if s.province == p]
        plan.leaver_first[p] = student_id
        plan.leaver_room[p] = leaver_capacity(mine, grades_of=grades_of, years=years) if years > 1 else 0
        student_id += plan.leaver_room[p]
    plan.students = student_id - first_ids[1]
    plan.staff = staff_id - first_ids[2]
    return plan


class _Serials:
    """Unique serials per (legacy province, gender, birth year) bucket, in a scrambled order."""

    def __init__(self) -> None:
        self.next: dict[tuple, int] = {}
        self.reserved: set[tuple] = set()  # serials a planted typo uses: no one else may be given them

    def take(self, key: tuple) -> int:
        while True:
            n = self.next.get(key, 0)
            self.next[key] = n + 1
            serial = (n * 7919 + zlib.crc32(repr(key).encode())) % 1_000_000
            if (key, serial) not in self.reserved:
                return serial

    def reserve(self, key: tuple, serial: int) -> bool:
        """Keep `serial` of the bucket for a mistyped number, if no one has it or was given it."""
        n = (serial - zlib.crc32(repr(key).encode())) * pow(7919, -1, 1_000_000) % 1_000_000
        if n < self.next.get(key, 0) or (key, serial) in self.reserved:
            return False
        self.reserved.add((key, serial))
        return True


def _identity(rng: random.Random, serials: _Serials, *, legacy: str, year: int, gender: str, seed: int,
              birth_window: tuple[dt.date, dt.date] | None = None):
    """(id_number or None, full_name, date_of_birth) as stored by the school, planted as designed."""
    if rng.random() < NO_ID_SHARE:
        return None, full_name(rng.getrandbits(40), gender), dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    number = id_number_for(legacy_province_code=legacy, year_of_birth=year, gender=gender,
                           serial=serials.take((legacy, gender, year)))
    citizen = citizen_for(number, seed)
    if citizen is None:  # NOT_FOUND: the school's data is whatever it is
        return number, full_name(rng.getrandbits(40), gender), dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    name, born = citizen.full_name, citizen.date_of_birth
    if rng.random() < MISMATCH_SHARE:
        kind = rng.random()
        if kind < 0.6:  # a different given name or a typo in the family name
            name = full_name(rng.getrandbits(40), gender)
        if kind >= 0.4:  # day of birth entered wrongly (same year, so the ID stays consistent)
            born = born.replace(day=1 + (born.day + rng.randint(1, 20)) % 28)
    return number, name, born


# Tone marks on open "oa", "oe", "uy" at the end of a syllable: the old placement puts the mark on the
# first vowel ("Hòa", "Thủy"), the new one on the second ("Hoà", "Thuỷ"); both are written.
_TONES = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ"}
_PLACEMENTS = {}
for _first, _second in (("o", "a"), ("o", "e"), ("u", "y")):
    for _i in range(5):
        _old, _new = _TONES[_first][_i] + _second, _first + _TONES[_second][_i]
        _PLACEMENTS[_old], _PLACEMENTS[_new] = _new, _old
_PLACEMENT = re.compile(f"({'|'.join(_PLACEMENTS)})(?=\\s|$)")


def tone_placement_swapped(name: str) -> str:
    """The name with the other tone placement, or the name itself if it has no such syllable."""
    return _PLACEMENT.sub(lambda m: _PLACEMENTS[m.group(1)], name)


def without_diacritics(name: str) -> str:
    """The name as typed on a keyboard without Vietnamese input ("Nguyen Thi Thuy")."""
    name = name.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


@dataclass
class _Entered:
    """A pupil as first entered, that a second school may enter again."""

    sid: int
    school: int
    number: str
    name: str
    born: dt.date
    legacy: str
    ethnicity: str


def _typo(rng: random.Random, serials: _Serials, entered: _Entered, gender: str) -> str | None:
    """The number with one digit of its serial mistyped, kept from every other pupil; None if no
    free one was found (then the copy is entered without a number)."""
    key = (entered.legacy, gender, entered.born.year)
    for _ in range(8):
        position = rng.randrange(6, 12)
        digit = rng.choice([d for d in "0123456789" if d != entered.number[position]])
        number = entered.number[:position] + digit + entered.number[position + 1:]
        if serials.reserve(key, int(number[6:])):
            return number
    return None


def _duplicate(rng: random.Random, serials: _Serials, entered: _Entered,
               gender: str) -> tuple[str | None, str, dt.date, str]:
    """(number, name, date of birth, kind) of a second entry of `entered`, varied as planted."""
    name, born = entered.name, entered.born
    roll = rng.random()
    if roll < 0.25:
        return None, name, born, "no_id_number"
    number = _typo(rng, serials, entered, gender)
    if roll < 0.5:
        return number, name, born, "id_number_typo" if number else "no_id_number"
    # The name or the date differ: the ID number is left out half the time, mistyped otherwise.
    number = number if rng.random() < 0.5 else None
    if roll < 0.75 and born.day <= 12 and born.day != born.month:
        return number, name, born.replace(day=born.month, month=born.day), "day_month_swapped"
    swapped = tone_placement_swapped(name)
    if swapped != name:
        return number, swapped, born, "name_tone_placement"
    plain = without_diacritics(name)
    if plain == name:  # a name without diacritics ("Phan Kim My"): only the number can differ
        return number, name, born, "id_number_typo" if number else "no_id_number"
    return number, plain, born, "name_no_diacritics"


def _lms_tables():
    return who_lms, value_for_z


def _elapsed_share(school_year: int, today: dt.date) -> float:
    """How much of the current school year has gone by (its dropouts so far)."""
    return min(1.0, max(0.0, (today - dt.date(school_year, 9, 5)).days / 270))


def province_rows(*, plan: Plan, province: str, seed: int, school_year: int, today: dt.date,
                  legacy_codes: list[str], population: Counter | None = None) -> dict[str, io.StringIO]:
    """CSV buffers for every table, for the schools of one province and the plan's school years
    (`school_year` the current one, last). The children drawn are added to `population` by
    (province, commune of their last school, year of birth, gender): the registry's population."""
    rng = random.Random(f"{seed}:province:{province}")
    serials = _Serials()  # one ID number per person of the province, pupils and staff alike
    now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=dt.UTC).isoformat()
    bufs = {name: io.StringIO() for name in LOAD_ORDER}
    w = {name: csv.writer(buf, lineterminator="\n") for name, buf in bufs.items()}
    schools = [s for s in plan.schools if s.province == province]
    first_year = school_year - plan.years + 1
    flows = Flows(schools, grades_of=grades_of, first_year=first_year)
    elapsed = _elapsed_share(school_year, today)
    pupils = _PupilWriter(w, rng, serials, plan=plan, province=province, seed=seed, first_year=first_year,
                          school_year=school_year, today=today, now=now, legacy_codes=legacy_codes)
    went_on: Counter = Counter()  # completers of grade 5 and 9 enrolled the next year, by school and year

    def add(sid: int, gender: str, last: Step) -> None:
        steps = flows.history(rng, last)
        went_on.update((step.school.id, step.year) for step in steps[:-1]
                       if step.outcome == "completed" and step.grade in TRANSITION)
        pupils.write(sid, gender, steps)

    # The current year's pupils as the plan sizes them, each with the steps that brought them there.
    for school in schools:
        synced = "" if school.synced_days_ago is None else (
            dt.datetime.combine(today, dt.time(7, 0), tzinfo=dt.UTC) - dt.timedelta(days=school.synced_days_ago)
        ).isoformat()
        w["school"].writerow([school.id, school.code, school.name, school.level, school.ownership, province,
                              school.commune, f"Số {rng.randint(1, 300)}, đường {rng.randint(1, 40)}", "open",
                              synced, now, now])
        grades = grades_of(school)
        for i in range(school.pupils):
            grade = grades[i * len(grades) // school.pupils]
            gender = "F" if rng.random() < 0.485 else "M"
            last = Step(school_year, school, grade, "current", age=rng.randint(3, 5) if grade == 0 else 0)
            if grade and rng.random() < DROPOUT[grade] * elapsed:  # left this year, so far
                last.outcome, last.left_on = "dropped_out", dropout_day(rng, school_year, until=today)
            add(school.first_student_id + i, gender, last)
        _staff_rows(w["staff"], rng, serials, school, legacy_codes=legacy_codes, seed=seed, today=today, now=now)
    # Pupils who left in a past year: dropouts and graduates, then the completers who did not go on
    # (as many beside those who went on as the transition rate leaves), in the province's block of ids.
    past = range(first_year, school_year)
    first_leaver = plan.leaver_first.get(province, 0)
    leavers = iter(range(first_leaver, first_leaver + plan.leaver_room.get(province, 0)))
    for lasts in (lambda: flows.leavers(rng, schools, past), lambda: flows.non_transition(rng, schools, past, went_on)):
        for last in lasts():
            sid = next(leavers, None)
            if sid is None:  # beyond the reserved room (never at the shares of history.py)
                break
            add(sid, "F" if rng.random() < 0.485 else "M", last)
    if population is not None:
        population.update(pupils.population)
    return bufs


class _PupilWriter:
    """Identity, enrollments, results and measurement of each pupil, written as they come (in order of id)."""

    def __init__(self, w, rng: random.Random, serials: _Serials, *, plan: Plan, province: str, seed: int,
                 first_year: int, school_year: int, today: dt.date, now: str, legacy_codes: list[str]) -> None:
        self.w, self.rng, self.serials, self.plan, self.province, self.seed = w, rng, serials, plan, province, seed
        self.first_year, self.school_year, self.today, self.now = first_year, school_year, today, now
        self.legacy_codes = legacy_codes
        # Duplicates are drawn from their own stream, so every other draw stays as it was without them.
        self.dup_rng = random.Random(f"{seed}:duplicates:{province}")
        self.entered: dict[tuple, list[_Entered]] = {}  # (birth year, gender) -> pupils a school may enter again
        self.in_class: Counter = Counter()
        # Children by (province, commune, year of birth, gender); a planted duplicate is a child already counted.
        self.population: Counter = Counter()
        self.duplicate = False

    def _identity(self, sid: int, gender: str, year: int, school_id: int):
        rng, dup_rng, serials = self.rng, self.dup_rng, self.serials
        legacy = rng.choice(self.legacy_codes)
        number, name, born = _identity(rng, serials, legacy=legacy, year=year, gender=gender, seed=self.seed)
        ethnic = ethnicity(rng.getrandbits(16))
        pool = self.entered.setdefault((year, gender), [])
        self.duplicate = bool(pool) and dup_rng.random() < DUPLICATE_SHARE
        if self.duplicate:
            # The same child again: another school's pupil preferred (moved without a transfer).
            first = dup_rng.choice(pool)
            for _ in range(4):
                if first.school != school_id:
                    break
                first = dup_rng.choice(pool)
            number, name, born, kind = _duplicate(dup_rng, serials, first, gender)
            self.w["duplicate"].writerow([first.sid, sid, kind])
            return number, name, born, first.ethnicity
        if number is not None:
            entry = _Entered(sid, school_id, number, name, born, legacy, ethnic)
            if len(pool) < DUPLICATE_POOL:
                pool.append(entry)
            else:
                pool[dup_rng.randrange(DUPLICATE_POOL)] = entry
        return number, name, born, ethnic

    def write(self, sid: int, gender: str, steps: list[Step]) -> None:
        w, plan, now, rng = self.w, self.plan, self.now, self.rng
        school = steps[-1].school  # the school of the last enrollment, as Student.school is kept
        year = birth_year(steps)
        number, name, born, ethnic = self._identity(sid, gender, year, school.id)
        if not self.duplicate:
            self.population[(self.province, school.commune, year, gender)] += 1
        status = "invalid_id" if number is None else "unverified"
        pupil_code = f"{(sid * 2_654_435_761 + 12_345) % 10**10:010d}"
        w["student"].writerow([sid, pupil_code, number or "", name, born.isoformat(), gender,
                               ethnic, self.province, school.id, status, 0, "", "{}", now, now])
        for step in steps:
            k = step.year - self.first_year
            age = step.year - year
            seat_key = (step.school.id, step.year, step.grade, age if step.grade == 0 else 0)
            self.in_class[seat_key] += 1
            class_name = (f"MG{age}" if step.grade == 0 else str(step.grade)) + \
                chr(65 + (self.in_class[seat_key] - 1) // CLASS_SIZE)
            w["enrollment"].writerow([
                child_id(plan, "enrollment", sid, k), sid, step.year, step.school.id, step.grade, class_name,
                step.status, now, now,
                enrollment_age_group(grade=step.grade, date_of_birth=born, school_year=step.year),
                step.left_on.isoformat() if step.left_on else "",
                COMPLETED_REASON if step.outcome == "completed" else ""])
            if step.grade >= 1:
                drawn = _year_results(rng, step, self.school_year)
                if not plan.past_results and step.year != self.school_year:
                    drawn = []
                for j, (term, ratings) in enumerate(drawn):
                    w["result"].writerow([child_id(plan, "result", sid, k, j), sid, step.school.id, step.year,
                                          term, *ratings, now, now])
        last = steps[-1]
        if last.year == self.school_year and rng.random() < min(1.0, last.school.results_share + 0.15):
            row = _measurement(rng, born=born, gender=gender, school_year=self.school_year, today=self.today)
            if row is not None:
                w["physical"].writerow([child_id(plan, "physical", sid), sid, last.school.id, self.school_year,
                                        *row, now, now])


# A share of pupils who pass the year fail it first and pass the summer's re-assessment.
RESIT_PASSED = {"primary": 0.01, "secondary": 0.025}


def _year_results(rng: random.Random, step: Step, school_year: int) -> list[tuple[int, tuple]]:
    """(term, ratings) rows of one enrollment: term 1 for part of the current year's pupils (the
    school's completeness); for a past year, the whole year's, agreeing with how the year ended under
    the rules the year-end reads (students.yearend): a repeater failed the year and its summer
    re-assessment; a promoted or completing pupil passed the year, or failed it and passed in summer.
    A dropout left before the year's end: no result."""
    grade = step.grade
    if step.year == school_year:
        if rng.random() < step.school.results_share:
            return [(Term.FIRST, _ratings(rng, grade))]
        return []
    if step.outcome == "dropped_out":
        return []
    if step.outcome == "repeats":
        return [(Term.WHOLE_YEAR, _year_ratings(rng, grade, passed=False)),
                (Term.RESIT, _year_ratings(rng, grade, passed=False))]
    if rng.random() < RESIT_PASSED["primary" if grade <= 5 else "secondary"]:
        return [(Term.WHOLE_YEAR, _year_ratings(rng, grade, passed=False)),
                (Term.RESIT, _year_ratings(rng, grade, passed=True))]
    return [(Term.WHOLE_YEAR, _year_ratings(rng, grade, passed=True))]


def _measurement(rng: random.Random, *, born: dt.date, gender: str, school_year: int, today: dt.date):
    """(measured_on, height, weight, bmi, z, category, height z, height status) of one pupil this year,
    classified by the portal's own rules; None past the WHO reference (the portal would refuse it)."""
    who_lms, value_for_z = _lms_tables()
    measured = dt.date(school_year, 9, 15) + dt.timedelta(days=rng.randint(0, 40))
    measured = min(measured, today)
    months = max(24, min(228, (measured - born).days * 12 // 365))
    z_bmi = rng.gauss(0.15, 1.15)
    height = round(value_for_z(who_lms("height", gender, months), rng.gauss(-0.2, 1.0)), 1)
    bmi = round(value_for_z(who_lms("bmi", gender, months), z_bmi), 1)
    weight = round(bmi * (height / 100) ** 2, 1)
    try:  # the portal's own classifier, on the unrounded BMI
        z, category = nutrition_classify(bmi=bmi_exact(height, weight), date_of_birth=born,
                                         measured_on=measured, gender=gender)
        height_z, height_status = height_for_age(height_cm=height, date_of_birth=born,
                                                 measured_on=measured, gender=gender)
    except OutsideReference:
        return None
    bmi = bmi_of(Decimal(str(height)), Decimal(str(weight)))  # rounded as the portal stores it
    return (measured.isoformat(), height, weight, bmi, z, str(category), height_z, str(height_status))


def _staff_rows(writer, rng: random.Random, serials: _Serials, school: SchoolPlan, *, legacy_codes: list[str],
                seed: int, today: dt.date, now: str) -> None:
    for j in range(school.staff):
        position = "principal" if j == 0 else "vice_principal" if j <= 2 and school.staff > 12 else (
            "other" if j >= school.staff - 3 else "teacher")
        female_share = 0.98 if school.level == "preschool" else 0.72
        gender = "F" if rng.random() < female_share else "M"
        year = rng.randint(1966, 2002)
        number, name, born = _identity(rng, serials, legacy=rng.choice(legacy_codes), year=year,
                                       gender=gender, seed=seed)
        qualification = _pick(rng, {"college": 0.55, "bachelor": 0.38, "below_college": 0.05, "master": 0.02}
                              if school.level == "preschool" else
                              {"bachelor": 0.80, "master": 0.10, "college": 0.08, "below_college": 0.02})
        stid = school.first_staff_id + j
        # Training field and pedagogy certificate from the staff id, not from `rng`, so the draws of
        # everything generated after them stay as they were: most teachers trained as teachers, and
        # about half of the others hold the pedagogy certificate (Luật Giáo dục 2019, Điều 72).
        u_field, u_cert = (stid * 2_654_435_761 % 2**32) / 2**32, (stid * 40_503 % 65_536) / 65_536
        training = "other" if position == "other" or u_field < 0.07 else "teacher_training"
        certificate = training == "other" and position != "other" and u_cert < 0.55
        standard = qualification_standard(
            school_level=school.level, position=position, qualification=qualification, training_field=training,
            pedagogy_certificate=certificate, date_of_birth=born, gender=gender, on=today)
        subject = "" if position == "other" else (
            "Giáo dục mầm non" if school.level == "preschool" else
            "Giáo viên tiểu học" if school.level == "primary" else rng.choice(SUBJECTS))
        employment = _pick(rng, {"working": 0.97, "on_leave": 0.02, "retired": 0.01})
        status = "invalid_id" if number is None else "unverified"
        writer.writerow([stid, f"CB{stid:09d}", number or "", name, born.isoformat(), gender,
                             ethnicity(rng.getrandbits(16)), position, subject, qualification, training,
                             "t" if certificate else "f", standard, "t" if standard == "meets" else "f",
                             school.id, employment, status, 0, "", "{}", now, now])


# Results are drawn as a pupil's subject results, and the ratings derived from them by the portal's
# own rule (students.assessment.derive), as a school's file would be checked. Deriving takes about
# half a millisecond, too slow for 24 million rows: each grade gets a pool of RESULTS_POOL pupils'
# results made once per process from a fixed stream, and a pupil takes one of them (one draw).
RESULTS_POOL = 512
# Secondary (Thông tư 22/2021): a pupil's level, and each scored subject's average around it.
SECONDARY_LEVEL = (7.55, 1.25)    # mean, spread of the pupils' levels
SECONDARY_SUBJECT_SPREAD = 0.65   # spread of a subject's average around the pupil's level
# Upper secondary: four of the elective subjects (Thông tư 32/2018), as the school's combinations offer.
ELECTIVE_GROUPS = (("Vật lí", "Hoá học", "Sinh học", "Tin học"), ("Vật lí", "Hoá học", "Địa lí", "Tin học"),
                   ("Địa lí", "Giáo dục kinh tế và pháp luật", "Vật lí", "Công nghệ"),
                   ("Địa lí", "Giáo dục kinh tế và pháp luật", "Hoá học", "Sinh học"))


def _secondary_subjects(rng: random.Random, grade: int, level: float | None = None) -> tuple[dict, float]:
    level = rng.gauss(*SECONDARY_LEVEL) if level is None else level
    subjects = [s for s in subjects_for(grade) if s.compulsory]
    if grade >= 10:
        electives = {s.name: s for s in subjects_for(grade) if not s.compulsory}
        subjects += [electives[name] for name in rng.choice(ELECTIVE_GROUPS)]
    out: dict = {}
    for s in subjects:
        if s.scored:
            out[s.name] = round(min(10.0, max(0.0, rng.gauss(level, SECONDARY_SUBJECT_SPREAD))), 1)
        else:  # commented subjects: Đạt but for a few weak pupils
            out[s.name] = "Chưa đạt" if rng.random() < (0.25 if level < 5.0 else 0.004) else "Đạt"
    return out, level


def _primary_subjects(rng: random.Random, grade: int, level: float | None = None) -> tuple[dict, float]:
    level = rng.gauss(0.0, 1.0) if level is None else level
    out: dict = {}
    for s in subjects_for(grade):
        if not s.compulsory:
            continue
        x = level + rng.gauss(0.0, 0.45)
        rating = "Hoàn thành tốt" if x > -1.05 else "Chưa hoàn thành" if x < -3.2 else "Hoàn thành"
        if s.has_periodic_test(grade):
            test = min(10, max(1, round(8.45 + 1.3 * level + rng.gauss(0.0, 0.8))))
            out[s.name] = {"rating": rating, "test": test}
        else:
            out[s.name] = rating
    return out, level


@functools.cache
def _results_pool(grade: int) -> tuple[tuple[str, str, str], ...]:
    rng = random.Random(f"results:{grade}")
    pool = []
    for _ in range(RESULTS_POOL):
        subjects, level = (_primary_subjects if grade <= 5 else _secondary_subjects)(rng, grade)
        conduct = _conduct(rng, grade, level)
        learning = derive(grade=grade, term=1, subjects=subjects, conduct=conduct).rating
        pool.append((str(learning), conduct, json.dumps(subjects, ensure_ascii=False)))
    return tuple(pool)


def _passes(grade: int, learning: str, conduct: str) -> bool:
    """Whether a result lets the pupil go up, as the year-end reads it (students.yearend)."""
    if grade <= 5:
        return learning in PRIMARY_PASS
    return learning in SECONDARY_PASS and conduct in CONDUCT_PASS


def _conduct(rng: random.Random, grade: int, level: float) -> str:
    """Thông tư 27/2020 (grades 1-5): phẩm chất Tốt / Đạt / Cần cố gắng, better with the pupil's level;
    Thông tư 22/2021: rèn luyện Tốt / Khá / Đạt / Chưa đạt."""
    if grade <= 5:
        u = rng.random() - 0.12 * level
        return "can_co_gang" if level < -2.2 else "tot" if u < 0.78 else "dat"
    u = rng.random() - 0.02 * (level - SECONDARY_LEVEL[0])
    return "tot" if u < 0.80 else "kha" if u < 0.95 else "dat" if u < 0.99 else "chua_dat"


YEAR_POOL = 256


@functools.cache
def _year_pool(grade: int, passed: bool) -> tuple[tuple[str, str, str], ...]:
    """Whole-year (or summer) results of the grade that pass, or fail, the year-end's rule. Failing
    ones are drawn from weak pupils (a low level), or from a conduct rated Chưa đạt in secondary."""
    rng = random.Random(f"results:{grade}:year:{passed}")
    pool: list[tuple[str, str, str]] = []
    for _ in range(YEAR_POOL * 40):
        if len(pool) == YEAR_POOL:
            break
        weak = None if passed else (rng.gauss(-3.6, 0.5) if grade <= 5 else rng.gauss(4.2, 0.8))
        if grade <= 5:
            subjects, level = _primary_subjects(rng, grade, weak)
        else:
            subjects, level = _secondary_subjects(rng, grade, weak)
        conduct = _conduct(rng, grade, level)
        if not passed and grade > 5 and rng.random() < 0.3:
            subjects, level = _secondary_subjects(rng, grade)
            conduct = "chua_dat"
        learning = str(derive(grade=grade, term=Term.WHOLE_YEAR, subjects=subjects, conduct=conduct).rating)
        if _passes(grade, learning, conduct) == passed:
            pool.append((learning, conduct, json.dumps(subjects, ensure_ascii=False)))
    if not pool:
        raise RuntimeError(f"no {'passing' if passed else 'failing'} results drawn for grade {grade}")
    return tuple(pool)


def _year_ratings(rng: random.Random, grade: int, *, passed: bool) -> tuple[str, str, str]:
    pool = _year_pool(grade, passed)
    return pool[int(rng.random() * len(pool))]


def results_pools_warm() -> None:
    """Make every pool once, before worker processes fork (else each worker makes them)."""
    for grade in range(1, 13):
        _results_pool(grade)
        _year_pool(grade, True)
        _year_pool(grade, False)


def _ratings(rng: random.Random, grade: int) -> tuple[str, str, str]:
    """(learning rating, conduct rating, subject results as JSON) of one pupil of the grade."""
    pool = _results_pool(grade)
    return pool[int(rng.random() * len(pool))]


COLUMNS = {
    "school": ("schools_school", "id, code, name, level, ownership, province_id, commune_id, address, status, "
               "last_synced_at, created_at, updated_at"),
    "student": ("students_student", "id, pupil_code, id_number, full_name, date_of_birth, gender, ethnicity, "
                "birth_province_id, school_id, verification_status, verification_attempts, verification_error, "
                "verification_mismatch_fields, created_at, updated_at"),
    "enrollment": ("students_enrollment", "id, student_id, school_year, school_id, grade, class_name, status, "
                   "created_at, updated_at, age_group, left_on, leave_reason"),
    "result": ("students_academicresult", "id, student_id, school_id, school_year, term, learning_rating, "
               "conduct_rating, subject_scores, created_at, updated_at"),
    "physical": ("students_physicalrecord", "id, student_id, school_id, school_year, measured_on, height_cm, "
                 "weight_kg, bmi, bmi_z_score, nutrition_status, height_z_score, height_status, created_at, "
                 "updated_at"),
    "staff": ("teachers_staffmember", "id, staff_code, id_number, full_name, date_of_birth, gender, ethnicity, "
              "position, main_subject, qualification, training_field, pedagogy_certificate, qualification_standard, "
              "meets_qualification_standard, school_id, employment_status, "
              "verification_status, verification_attempts, verification_error, verification_mismatch_fields, "
              "created_at, updated_at"),
    # The truth about the planted duplicates (demo_population.models.PlantedDuplicate).
    "duplicate": ("demo_population_plantedduplicate", "pupil_a, pupil_b, kind"),
}
# Text columns where an empty field means "", not NULL.
NOT_NULL_TEXT = {"school": "address", "student": "verification_error", "enrollment": "age_group, leave_reason",
                 "staff": "main_subject, verification_error"}
# Parents before children, so foreign keys hold at every COPY.
LOAD_ORDER = ("school", "student", "enrollment", "result", "physical", "staff", "duplicate")


def copy_buffers(cursor, bufs: dict[str, io.StringIO]) -> dict[str, int]:
    counts = {}
    for name in LOAD_ORDER:
        table, columns = COLUMNS[name]
        buf = bufs[name]
        counts[name] = buf.getvalue().count("\n")
        buf.seek(0)
        # NULL '' turns empty optional fields (id_number, last_synced_at, bmi_z_score) into NULL.
        force = f", FORCE_NOT_NULL ({NOT_NULL_TEXT[name]})" if name in NOT_NULL_TEXT else ""
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL ''{force})", buf)
    return counts
