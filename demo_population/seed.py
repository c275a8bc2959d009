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
from dataclasses import dataclass, field
from decimal import Decimal

from students.assessment import derive, subjects_for
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
from teachers.standards import qualification_standard

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
    # id of an enrollment/result/physical record = pupil id + offset (one of each per pupil)
    child_id_offsets: dict[str, int] = field(default_factory=lambda: {"enrollment": 0, "result": 0, "physical": 0})


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_make(*, n_schools: int, seed: int, geo: Geography, first_ids=(1, 1, 1)) -> Plan:
    """Schools for the whole country: at least one per province, the rest by number of communes."""
    rng = random.Random(f"{seed}:plan")
    provinces = geo.provinces
    total_communes = sum(len(geo.communes[p]) for p in provinces)
    counts = {p: 1 for p in provinces}
    rest = max(0, n_schools - len(provinces))
    for p in provinces:
        counts[p] += int(rest * len(geo.communes[p]) / total_communes)
    for p in rng.sample(provinces, k=min(len(provinces), n_schools - sum(counts.values()))):
        counts[p] += 1
    plan = Plan()
    school_id, student_id, staff_id = first_ids
    level_weights = {k: v[0] for k, v in LEVELS.items()}
    for p in provinces:
        used_names: dict[str, int] = {}
        for n in range(counts[p]):
            # The first school of each province is a primary school: every province has one to show.
            level = "primary" if n == 0 else _pick(rng, level_weights)
            commune_code, commune_name = rng.choice(geo.communes[p])
            short = commune_name.split(" ", 1)[1] if " " in commune_name else commune_name
            base = f"{LEVEL_NAMES[level]} {short}"
            used_names[base] = used_names.get(base, 0) + 1
            name = base if used_names[base] == 1 else f"{base} số {used_names[base]}"
            _, mean, ptr, _ = LEVELS[level]
            pupils = max(40, int(mean * rng.uniform(0.45, 1.55)))
            teachers = max(4, round(pupils / ptr * rng.uniform(0.85, 1.15)))
            staff = teachers + 1 + rng.randint(1, 2) + rng.randint(2, 4)
            roll = rng.random()
            synced = rng.randint(0, 29) if roll < CONNECTED_SHARE else (
                rng.randint(31, 400) if roll < 0.85 else None)
            completeness = rng.random()
            results_share = 1.0 if completeness < 0.7 else (rng.uniform(0.4, 0.95) if completeness < 0.92 else 0.0)
            ownership = _pick(rng, {"public": 0.85, "private": 0.10, "people_founded": 0.05})
            plan.schools.append(SchoolPlan(
                id=school_id, code=f"{p}{n + 1:06d}", name=name, level=level, ownership=ownership,
                province=p, commune=commune_code, pupils=pupils, staff=staff, results_share=results_share,
                synced_days_ago=synced, first_student_id=student_id, first_staff_id=staff_id))
            school_id += 1
            student_id += pupils
            staff_id += staff
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
    return number, without_diacritics(name), born, "name_no_diacritics"


def _lms_tables():
    return who_lms, value_for_z


def province_rows(*, plan: Plan, province: str, seed: int, school_year: int, today: dt.date,
                  legacy_codes: list[str]) -> dict[str, io.StringIO]:
    """CSV buffers for every table, for the schools of one province."""
    who_lms, value_for_z = _lms_tables()
    rng = random.Random(f"{seed}:province:{province}")
    serials = _Serials()
    offsets = plan.child_id_offsets
    now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=dt.UTC).isoformat()
    bufs = {name: io.StringIO() for name in LOAD_ORDER}
    w = {name: csv.writer(buf, lineterminator="\n") for name, buf in bufs.items()}
    schools = [s for s in plan.schools if s.province == province]
    # Duplicates are drawn from their own stream, so every other draw stays as it was without them.
    dup_rng = random.Random(f"{seed}:duplicates:{province}")
    entered: dict[int, list[_Entered]] = {}  # birth year -> pupils a school may enter again
    for school in schools:
        synced = "" if school.synced_days_ago is None else (
            dt.datetime.combine(today, dt.time(7, 0), tzinfo=dt.UTC) - dt.timedelta(days=school.synced_days_ago)
        ).isoformat()
        w["school"].writerow([school.id, school.code, school.name, school.level, school.ownership, province,
                              school.commune, f"Số {rng.randint(1, 300)}, đường {rng.randint(1, 40)}", "open",
                              synced, now, now])
        grades = LEVELS[school.level][3]
        per_grade: dict[int, int] = {}
        for i in range(school.pupils):
            sid = school.first_student_id + i
            grade = grades[i * len(grades) // school.pupils]
            gender = "F" if rng.random() < 0.485 else "M"
            age = rng.randint(3, 5) if grade == 0 else grade + 6
            year = school_year - age
            legacy = rng.choice(legacy_codes)
            number, name, born = _identity(rng, serials, legacy=legacy, year=year, gender=gender, seed=seed)
            ethnic = ethnicity(rng.getrandbits(16))
            pool = entered.setdefault((year, gender), [])
            if pool and dup_rng.random() < DUPLICATE_SHARE:
                # The same child again: another school's pupil preferred (moved without a transfer).
                first = dup_rng.choice(pool)
                for _ in range(4):
                    if first.school != school.id:
                        break
                    first = dup_rng.choice(pool)
                number, name, born, kind = _duplicate(dup_rng, serials, first, gender)
                ethnic = first.ethnicity
                w["duplicate"].writerow([first.sid, sid, kind])
            elif number is not None:
                pupil = _Entered(sid, school.id, number, name, born, legacy, ethnic)
                if len(pool) < DUPLICATE_POOL:
                    pool.append(pupil)
                else:
                    pool[dup_rng.randrange(DUPLICATE_POOL)] = pupil
            status = "invalid_id" if number is None else "unverified"
            pupil_code = f"{(sid * 2_654_435_761 + 12_345) % 10**10:010d}"
            w["student"].writerow([sid, pupil_code, number or "", name, born.isoformat(), gender,
                                   ethnic, province, school.id, status, 0, "", "{}", now, now])
            per_grade[grade] = per_grade.get(grade, 0) + 1
            class_name = (f"MG{age}" if grade == 0 else str(grade)) + chr(65 + (per_grade[grade] - 1) // CLASS_SIZE)
            enrollment_status = "dropped_out" if rng.random() < 0.004 else "studying"
            w["enrollment"].writerow([sid + offsets["enrollment"], sid, school_year, school.id, grade, class_name, enrollment_status, now, now,
                                      enrollment_age_group(grade=grade, date_of_birth=born, school_year=school_year)])
            if grade >= 1 and rng.random() < school.results_share:
                w["result"].writerow([sid + offsets["result"], sid, school.id, school_year, 1, *_ratings(rng, grade), now, now])
            if rng.random() < min(1.0, school.results_share + 0.15):
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
                except OutsideReference:  # past 19 years: the portal would refuse the row too
                    continue
                bmi = bmi_of(Decimal(str(height)), Decimal(str(weight)))  # rounded as the portal stores it
                w["physical"].writerow([sid + offsets["physical"], sid, school.id, school_year, measured.isoformat(), height, weight,
                                        bmi, z, str(category), height_z, str(height_status), now, now])
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
            w["staff"].writerow([stid, f"CB{stid:09d}", number or "", name, born.isoformat(), gender,
                                 ethnicity(rng.getrandbits(16)), position, subject, qualification, training,
                                 "t" if certificate else "f", standard, "t" if standard == "meets" else "f",
                                 school.id, employment, status, 0, "", "{}", now, now])
    return bufs


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


def _secondary_subjects(rng: random.Random, grade: int) -> tuple[dict, float]:
    level = rng.gauss(*SECONDARY_LEVEL)
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


def _primary_subjects(rng: random.Random, grade: int) -> tuple[dict, float]:
    level = rng.gauss(0.0, 1.0)
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
        if grade <= 5:  # Thông tư 27/2020: phẩm chất Tốt / Đạt / Cần cố gắng, better with the pupil's level
            subjects, level = _primary_subjects(rng, grade)
            u = rng.random() - 0.12 * level
            conduct = "can_co_gang" if level < -2.2 else "tot" if u < 0.78 else "dat"
        else:  # Thông tư 22/2021: rèn luyện Tốt / Khá / Đạt / Chưa đạt
            subjects, level = _secondary_subjects(rng, grade)
            u = rng.random() - 0.02 * (level - SECONDARY_LEVEL[0])
            conduct = "tot" if u < 0.80 else "kha" if u < 0.95 else "dat" if u < 0.99 else "chua_dat"
        learning = derive(grade=grade, term=1, subjects=subjects, conduct=conduct).rating
        pool.append((str(learning), conduct, json.dumps(subjects, ensure_ascii=False)))
    return tuple(pool)


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
                   "created_at, updated_at, age_group"),
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
NOT_NULL_TEXT = {"school": "address", "student": "verification_error", "enrollment": "age_group",
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
