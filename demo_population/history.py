"""Years of history for the demo data (issue 17): each pupil's enrollments over the seeded years.

The plan's school sizes are the current year's, so history is drawn backwards from it: every pupil of
the current year gets the steps that brought them there, one year at a time (promoted from the grade
below at the same school, or at another school of the province after a summer move; repeating the
grade; completing the previous level at a feeding school; or arriving as a new intake), and pupils who
left before the current year (dropouts, grade-12 graduates, completers who did not go on to the next
level) are added with the steps that brought them to their last enrollment. Past years' sizes come
out close to the current ones, as they do in a real school.

The steps are recorded exactly as the portal's year-end writes the turn of a year (students.yearend):
a promoted or repeating pupil keeps last year's enrollment as `studying` and has one in the next year;
completing the last grade a school teaches closes it as `completed` on 31 May; a dropout's enrollment
is `dropped_out` with its day and nothing after it.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from schools.models import LEVEL_GRADES

# Shares a year, by grade: repetition (lưu ban) and dropout (bỏ học) rise with age, as the ministry's
# yearly statistics show them: repetition ~0.5-1% in primary, 1-2% lower and 1-3% upper secondary;
# dropout ~0.2-0.5%, 1-2% and 2-5%.
REPEAT = {1: 0.010, 2: 0.006, 3: 0.006, 4: 0.005, 5: 0.005, 6: 0.016, 7: 0.015, 8: 0.014, 9: 0.012,
          10: 0.024, 11: 0.020, 12: 0.016}
DROPOUT = {1: 0.002, 2: 0.002, 3: 0.003, 4: 0.004, 5: 0.005, 6: 0.010, 7: 0.013, 8: 0.016, 9: 0.018,
           10: 0.040, 11: 0.034, 12: 0.024}
# Completers of grade 5 and 9 who enrol at the next level the next year (the others never re-enrol).
TRANSITION = {5: 0.98, 9: 0.75}
SUMMER_MOVE = 0.015  # pupils who change school between two years (within the province)
PRESCHOOL_STAY = 0.9  # a 4- or 5-year-old who was at the same preschool the year before
NEXT_LEVEL = {0: ("primary", "multi_level"), 5: ("lower_secondary",), 9: ("upper_secondary", "continuing")}
# Stored on a completed enrollment, as the year-end stores it (students.yearend, in the default language).
COMPLETED_REASON = "Hoàn thành cấp học / chương trình"


def top_grade(level: str) -> int:
    return LEVEL_GRADES[level][1]


@dataclass(slots=True)
class Step:
    """One enrollment of a pupil. `outcome` is how the year ended: promoted, repeats, completed,
    dropped_out, or current (the current year, still going)."""

    year: int
    school: object  # seed.SchoolPlan
    grade: int
    outcome: str
    age: int = 0  # preschool only: age by year of birth
    left_on: dt.date | None = None

    @property
    def status(self) -> str:
        return {"completed": "completed", "dropped_out": "dropped_out"}.get(self.outcome, "studying")


# Grade 1 at 6 years, counted by year of birth (Luật Giáo dục 2019, Điều 28): the age of the last
# preschool group (mẫu giáo 5-6 tuổi) plus one.
GRADE_ONE_AGE = 6


def grade_age(grade: int) -> int:
    """The age by year of birth of a pupil of the grade who never repeated."""
    return grade + GRADE_ONE_AGE - 1


def birth_year(steps: list[Step]) -> int:
    """A pupil's year of birth from their first seeded enrollment, at the grade's age then: a pupil who
    repeats later is one year older than the grade's age from then on."""
    first = steps[0]
    return first.year - (first.age if first.grade == 0 else grade_age(first.grade))


def may_31(year: int) -> dt.date:
    return dt.date(year + 1, 5, 31)


def dropout_day(rng: random.Random, year: int, until: dt.date | None = None) -> dt.date:
    start = dt.date(year, 9, 15)
    end = min(dt.date(year + 1, 5, 15), until) if until else dt.date(year + 1, 5, 15)
    return start + dt.timedelta(days=int(rng.random() * max(1, (end - start).days)))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


class Flows:
    """The schools of one province and where each one's pupils come from."""

    def __init__(self, schools: list, *, grades_of, first_year: int):
        self.first_year = first_year
        self.grades = {s.id: grades_of(s) for s in schools}
        self.per_grade = {s.id: s.pupils / len(self.grades[s.id]) for s in schools}
        # Summer moves: to a school teaching the grade below, which is not its last grade (else it is a
        # completion, not a move).
        self.movers: dict[int, list] = {}
        for s in schools:
            for g in self.grades[s.id]:
                if g < top_grade(s.level):
                    self.movers.setdefault(g, []).append(s)
        # Where a school's completers go: a school of the next level in its commune if any, else any
        # of the province; the entry grade's sources of a school are the schools sending to it,
        # weighted by their size and how many schools they send to.
        self.sources: dict[int, tuple[list, list[float]]] = {}
        self.next_level_exists: dict[int, bool] = {}
        for last, levels in NEXT_LEVEL.items():
            senders = [s for s in schools if top_grade(s.level) == last and last in self.grades[s.id]]
            takers = [s for s in schools if s.level in levels]
            self.next_level_exists[last] = bool(takers)
            gathered: dict[int, list] = {t.id: [] for t in takers}
            for s in senders:
                near = [t for t in takers if t.commune == s.commune] or takers
                for t in near:
                    gathered[t.id].append((s, self.per_grade[s.id] / len(near)))
            for t in takers:
                pairs = gathered[t.id] or [(s, self.per_grade[s.id]) for s in senders]
                total, cum = 0.0, []
                for _s, weight in pairs:
                    total += weight
                    cum.append(total)
                self.sources[t.id] = ([s for s, _w in pairs], cum)
        preschool = sum(self.per_grade[s.id] / 3 for s in schools if s.level == "preschool")
        grade_one = sum(self.per_grade[s.id] for s in schools if 1 in self.grades[s.id])
        # The share of grade-1 entrants who went to a seeded preschool (the others did not attend one).
        self.preschool_share = min(0.95, preschool / grade_one) if grade_one else 0.0

    def _source(self, rng: random.Random, school) -> object | None:
        sources = self.sources.get(school.id)
        if not sources or not sources[0]:
            return None
        return rng.choices(sources[0], cum_weights=sources[1])[0]

    def previous(self, rng: random.Random, step: Step) -> Step | None:
        """The pupil's enrollment the year before `step`, or None when they were not enrolled in the
        province then (a new intake, or from elsewhere)."""
        year, school, grade = step.year - 1, step.school, step.grade
        if grade == 0:
            if step.age > 3 and rng.random() < PRESCHOOL_STAY:
                return Step(year, school, 0, "promoted", age=step.age - 1)
            return None
        if rng.random() < REPEAT[grade]:
            return Step(year, school, grade, "repeats")
        if grade == 1:
            if rng.random() < self.preschool_share:
                source = self._source(rng, school)
                if source is not None:
                    return Step(year, source, 0, "completed", age=5, left_on=may_31(year))
            return None
        if grade - 1 in self.grades[school.id]:
            if rng.random() < SUMMER_MOVE:  # to another school of the province teaching the grade, if any
                movers = self.movers[grade - 1]
                k = int(rng.random() * len(movers))
                school = movers[k] if movers[k].id != school.id else movers[(k + 1) % len(movers)]
            return Step(year, school, grade - 1, "promoted")
        source = self._source(rng, school)
        if source is None:
            return None
        return Step(year, source, grade - 1, "completed", left_on=may_31(year))

    def history(self, rng: random.Random, last: Step) -> list[Step]:
        """The pupil's steps from the first seeded year (or their intake) to `last`, in order."""
        steps = [last]
        while steps[-1].year > self.first_year:
            before = self.previous(rng, steps[-1])
            if before is None:
                break
            steps.append(before)
        steps.reverse()
        return steps

    def leavers(self, rng: random.Random, schools: list, years: range) -> list[Step]:
        """The last enrollments of pupils who left in a past year: dropouts at every grade, and the
        grade-12 class that graduated (completers of grade 5 and 9 who did not go on: non_transition)."""
        out = []
        for school in schools:
            n = self.per_grade[school.id]
            for year in years:
                for grade in self.grades[school.id]:
                    if grade == 0:
                        continue
                    for _ in range(_binomial(rng, round(n), DROPOUT[grade])):
                        out.append(Step(year, school, grade, "dropped_out", left_on=dropout_day(rng, year)))
                    if grade == 12:
                        for _ in range(_binomial(rng, round(n), 1 - REPEAT[12] - DROPOUT[12])):
                            out.append(Step(year, school, 12, "completed", left_on=may_31(year)))
        return out

    def non_transition(self, rng: random.Random, schools: list, years: range,
                       went_on: dict[tuple[int, int], int]) -> list[Step]:
        """Completers of grade 5 and 9 who never re-enrol: as many beside those who went on (`went_on`,
        by school and year) as the transition rate leaves; all of a school's class where no school of
        the next level exists in the province."""
        out = []
        for school in schools:
            last = top_grade(school.level)
            if last not in TRANSITION or last not in self.grades[school.id]:
                continue
            for year in years:
                if self.next_level_exists[last]:
                    count = _binomial(rng, went_on.get((school.id, year), 0), (1 - TRANSITION[last]) / TRANSITION[last])
                else:
                    count = _binomial(rng, round(self.per_grade[school.id]), 1 - REPEAT[last] - DROPOUT[last])
                out += [Step(year, school, last, "completed", left_on=may_31(year)) for _ in range(count)]
        return out


def leaver_capacity(schools: list, *, grades_of, years: int) -> int:
    """Room for the pupils of a province who left before the current year (ids are reserved before
    any row is generated): well above what the shares above produce."""
    room = 0
    for s in schools:
        grades = grades_of(s)
        n = s.pupils / len(grades)
        per_year = sum(3 * n * DROPOUT[g] + 5 for g in grades if g)
        if 12 in grades:
            per_year += n + 10
        if top_grade(s.level) in TRANSITION:
            per_year += 0.6 * n + 10
        room += int(per_year * (years - 1))
    return room
