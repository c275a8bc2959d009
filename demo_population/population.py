"""The population the demo children belong to (issue 17): the registry's truth behind its statistics.

The enrolment ratios (GER, NER, intake) divide pupils by the children of the ages living in an
area. The mock registry answers those counts from a small file seed_demo writes, aggregated by
commune, year of birth and gender, so that no person is in it:

- every child seed_demo drew (pupils of any seeded year, leavers included), once, in the commune of
  the last school they were seeded at; a planted duplicate (issue 16) is the same child entered
  twice and is not counted again;
- plus children who never enrolled, drawn from the seed: a share of the cohort by its age in the
  current school year, as the ministry's out-of-school figures run (about 10% at 3-5: not yet in
  preschool; 1-2% at 6-10; 5-8% at 11-14; 20-30% at 15-17), half again as many in the northern
  mountains and the Central Highlands.

The file (gzipped CSV) starts with a comment line naming the school years it covers; a year's
population of age a is the cohort born in year - a (ages by year of birth, as the enrolment age).
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

AGES = (3, 17)  # preschool to the last grade of upper secondary, by year of birth
# (lowest, highest) share of a cohort who never enrolled, by age.
NEVER_ENROLLED = ((5, (0.08, 0.12)), (10, (0.01, 0.02)), (14, (0.05, 0.08)), (99, (0.20, 0.30)))
# Northern mountains and Central Highlands (codes after the 2025 reform): more children out of school.
REMOTE_PROVINCES = frozenset({"04", "08", "11", "12", "14", "15", "19", "20", "25", "52", "66", "68"})
REMOTE_FACTOR = 1.5
HEADER = ("province", "commune", "birth_year", "gender", "count")
_YEARS = re.compile(r"school_years=(\d{4})-(\d{4})")


@dataclass(frozen=True)
class Population:
    """The file's contents: the school years covered and the count per (province, commune, birth
    year, gender)."""

    first_year: int
    last_year: int
    counts: dict[tuple[str, str, int, str], int]

    def rows_for(self, school_year: int, province: str | None = None) -> list[dict]:
        """Children aged AGES in `school_year`, by commune, age and gender (of `province`)."""
        low, high = AGES
        return [{"province": p, "commune": c, "age": school_year - born, "gender": g, "count": n}
                for (p, c, born, g), n in sorted(self.counts.items())
                if low <= school_year - born <= high and (province is None or p == province)]


def never_enrolled_share(rng: random.Random, *, age: int, province: str) -> float:
    low, high = next(bounds for top, bounds in NEVER_ENROLLED if age <= top)
    share = rng.uniform(low, high)
    return min(0.6, share * REMOTE_FACTOR) if province in REMOTE_PROVINCES else share


def population_make(seeded: Counter, *, seed: int, first_year: int, last_year: int) -> Population:
    """The population from the seeded children (`seeded[(province, commune, birth year, gender)]`),
    with the never-enrolled children drawn for each cell from its own stream (the same seed gives
    the same file whatever order the provinces were loaded in)."""
    oldest, youngest = first_year - AGES[1], last_year - AGES[0]
    counts = {}
    for (province, commune, born, gender), n in sorted(seeded.items()):
        if not oldest <= born <= youngest:
            continue
        rng = random.Random(f"{seed}:population:{commune}:{born}:{gender}")
        age = min(max(last_year - born, AGES[0]), AGES[1])
        share = never_enrolled_share(rng, age=age, province=province)
        extra = n * share / (1 - share)
        counts[(province, commune, born, gender)] = n + int(extra) + (rng.random() < extra % 1)
    return Population(first_year, last_year, counts)


def population_write(population: Population, path: Path) -> None:
    """Write the file atomically (a registry reading it meanwhile sees the old one or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    text.write(f"# edu_portal demo population: school_years={population.first_year}-{population.last_year}\n")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    for (province, commune, born, gender), n in sorted(population.counts.items()):
        writer.writerow([province, commune, born, gender, n])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".population-")
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(text.getvalue().encode("utf-8"))
    os.replace(tmp, path)


def population_read(path: Path) -> Population:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        first = f.readline()
        years = _YEARS.search(first)
        if not years:
            raise ValueError(f"{path}: no school_years in the first line")
        counts = {(r["province"], r["commune"], int(r["birth_year"]), r["gender"]): int(r["count"])
                  for r in csv.DictReader(f)}
    return Population(int(years.group(1)), int(years.group(2)), counts)
