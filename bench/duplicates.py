"""The national duplicate-pupil scan (students.duplicates) on the seeded data, with planted duplicates:

    scan       the national scan in this connection (duplicates_scan_country, one job): seconds and
               pupils/s, extrapolated to the 24 million pupils of the country (target: 15 minutes)
    scan_parallel  the same in DUPLICATES_SCAN_JOBS parallel jobs (each its own connection), as the
               nightly scan runs, after the rollback (so without the planted copies): on the national
               database (make bench-national) this is the figure against the 15 minutes
    quality    precision and recall against two truths: the duplicates the demo seed planted
               (demo_population_plantedduplicate: no ID number, one digit of it mistyped, no
               diacritics, the other tone placement, day and month swapped; reported per kind), and
               N pupils (QUICK=1: 300; otherwise 3,000) copied here to another school as a clerk would
               retype them: the name without diacritics, with the tone mark on the other vowel
               (Thuý/Thúy), in NFD, in capitals, or with a letter of the family or middle name
               dropped; a third with day and month swapped where both can be a month; half without
               birthplace. A pair found is true when both records are one person by either truth
               (taken transitively); every other pair is a false positive.
    form       student_likely_duplicates, the add-pupil form's check: p50/p95 of one call
    upload_batch  students_likely_duplicates_many, the same check for an upload's rows in one query:
               ms per 1,000 rows (target: at most 100 ms per 1,000 rows)

Everything but scan_parallel runs in one transaction rolled back at the end; scan_parallel leaves the
pairs it finds in the queue, as the nightly scan would.
"""
from __future__ import annotations

import os
import random
import statistics
import time
import unicodedata

NATIONAL_PUPILS = 24_000_000


class _RollBack(Exception):
    pass


def _plain(name: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return text.replace("đ", "d").replace("Đ", "D")


# Tone marks placed on the other vowel (the old and new Vietnamese styles).
_TONE_SWAPS = {"uý": "úy", "úy": "uý", "oà": "òa", "òa": "oà", "oá": "óa", "óa": "oá", "uỳ": "ùy", "ùy": "uỳ",
               "oạ": "ọa", "ọa": "oạ", "oả": "ỏa", "ỏa": "oả"}


def _retyped(name: str, rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 4:
        # A typo outside the given name (the block's key): one letter of the family or middle name dropped.
        words = name.split(" ")
        if len(words) > 1:
            w = rng.randrange(len(words) - 1)
            if len(words[w]) > 2:
                cut = rng.randrange(1, len(words[w]))
                words[w] = words[w][:cut] + words[w][cut + 1:]
        return " ".join(words)
    if kind == 0:
        return _plain(name)
    if kind == 1:
        for old, new in _TONE_SWAPS.items():
            if old in name:
                return name.replace(old, new)
        return _plain(name)
    if kind == 2:
        return unicodedata.normalize("NFD", name)  # stored as typed: a door that forgot to normalise
    return name.upper()


def _seed_truth() -> dict[tuple[int, int], str]:
    """The seed's planted pairs whose two records both still exist, as (lower id, higher id) -> kind."""
    from demo_population.models import PlantedDuplicate
    from students.models import Student

    rows = list(PlantedDuplicate.objects.values_list("pupil_a", "pupil_b", "kind"))
    alive = set(Student.objects.filter(pk__in={i for a, b, _k in rows for i in (a, b)}).values_list("pk", flat=True))
    return {tuple(sorted((a, b))): kind for a, b, kind in rows if a in alive and b in alive}


def _people(pairs: set[tuple[int, int]]) -> dict[int, int]:
    """Pupil id -> one id per person, joining the truth's pairs transitively (union-find): a pupil the
    seed entered twice and this bench copied once more is one person in three records."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    return {x: root(x) for x in parent}


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000, 2)


def run(quick: bool) -> dict:
    import django

    django.setup()
    from django.db import transaction

    from schools.models import School
    from students.duplicates import (
        MIN_SCORE,
        duplicates_scan_country,
        student_likely_duplicates,
        students_likely_duplicates_many,
    )
    from students.models import DuplicateCandidate, Student

    pupils = Student.objects.count()
    n = 300 if quick else 3000
    if pupils < 10 * n:
        return {"status": "skipped", "reason": f"fewer than {10 * n} pupils (run bench.seed first)"}
    rng = random.Random(2026)
    report: dict = {"pupils": pupils, "planted": n, "min_score": MIN_SCORE}
    # The quality run scans in one job inside a transaction: on the national database that is the
    # single-job time (about twice the parallel one); BENCH_DUPLICATES_QUALITY=0 leaves only scan_parallel.
    quality = os.environ.get("BENCH_DUPLICATES_QUALITY", "1") != "0"
    try:
        if not quality:
            raise _RollBack
        with transaction.atomic():
            ids = sorted(rng.sample(range(1, Student.objects.order_by("-id").values_list("id", flat=True)[0] + 1),
                                    n * 2))
            originals = list(Student.objects.filter(id__in=ids).order_by("id")[:n])
            school_ids = list(School.objects.values_list("id", flat=True))
            copies, truth = [], {}
            for i, original in enumerate(originals):
                dob = original.date_of_birth
                if i % 3 == 0 and dob.day <= 12 and dob.day != dob.month:
                    dob = dob.replace(month=dob.day, day=dob.month)
                copy = Student(pupil_code=f"DUPBENCH{i:07d}", full_name=_retyped(original.full_name, rng),
                               date_of_birth=dob, gender=original.gender, ethnicity=original.ethnicity,
                               birth_province_id=original.birth_province_id if i % 2 else None,
                               school_id=rng.choice(school_ids), id_number=None)
                copies.append(copy)
                truth[copy.pupil_code] = original.pk
            Student.objects.bulk_create(copies, batch_size=2000)
            planted = {tuple(sorted((truth[c.pupil_code], c.pk))) for c in copies}
            DuplicateCandidate.objects.all().delete()

            started = time.perf_counter()
            duplicates_scan_country()
            seconds = time.perf_counter() - started
            scored = dict(((a, b), score) for a, b, score in
                          DuplicateCandidate.objects.values_list("pupil_a_id", "pupil_b_id", "score"))
            found = set(scored)
            seeded = _seed_truth()
            person = _people(planted | set(seeded))
            true_found = {p for p in found if person.get(p[0], p[0]) == person.get(p[1], p[1])}
            hits = len(found & planted)
            by_threshold = {}
            for threshold in (MIN_SCORE, 0.75, 0.8, 0.9, 1.0):
                kept = {pair for pair, score in scored.items() if score >= threshold}
                kept_true = kept & true_found
                by_threshold[f"{threshold:.2f}"] = {
                    "pairs": len(kept),
                    "recall": round(len(kept & (planted | set(seeded))) / len(planted | set(seeded)), 4),
                    "precision": round(len(kept_true) / len(kept), 4) if kept else None}
            kinds: dict = {}
            for pair_, kind in seeded.items():
                row = kinds.setdefault(kind, {"planted": 0, "found": 0})
                row["planted"] += 1
                row["found"] += pair_ in found
            for row in kinds.values():
                row["recall"] = round(row["found"] / row["planted"], 4)
            seed_hits = sum(row["found"] for row in kinds.values())
            scanned = pupils + n
            report["scan"] = {"seconds": round(seconds, 1), "pupils_per_s": round(scanned / seconds),
                              "national_extrapolated_minutes": round(NATIONAL_PUPILS / (scanned / seconds) / 60, 1),
                              "target_minutes": 15}
            every = planted | set(seeded)
            report["quality"] = {
                "pairs_found": len(found), "true_pairs_found": len(true_found),
                "precision": round(len(true_found) / len(found), 4) if found else None,
                "recall": round(len(found & every) / len(every), 4),
                "bench_planted": {"pairs": len(planted), "found": hits, "recall": round(hits / len(planted), 4)},
                "seed_planted": {"pairs": len(seeded), "found": seed_hits,
                                 "recall": round(seed_hits / len(seeded), 4) if seeded else None,
                                 "by_kind": kinds},
                "by_min_score": by_threshold}

            times = []
            for original in originals[:200]:
                started = time.perf_counter()
                student_likely_duplicates(_plain(original.full_name), original.date_of_birth, original.gender)
                times.append(time.perf_counter() - started)
            report["form"] = {"calls": len(times), "p50_ms": round(statistics.median(times) * 1000, 2),
                              "p95_ms": _ms(times, 0.95),
                              "ms_per_1000_rows": round(statistics.mean(times) * 1000 * 1000, 1),
                              "target_ms_per_1000_rows": 100}
            batch = [(_plain(o.full_name), o.date_of_birth, o.gender) for o in originals[:1000]]
            started = time.perf_counter()
            students_likely_duplicates_many(batch)
            seconds = time.perf_counter() - started
            report["upload_batch"] = {"rows": len(batch), "ms": round(seconds * 1000, 1),
                                      "ms_per_1000_rows": round(seconds * 1000 * 1000 / len(batch), 1),
                                      "target_ms_per_1000_rows": 100}
            raise _RollBack
    except _RollBack:
        pass
    from django.conf import settings

    jobs = settings.DUPLICATES_SCAN_JOBS
    started = time.perf_counter()
    written = duplicates_scan_country(jobs=jobs)
    seconds = time.perf_counter() - started
    report["scan_parallel"] = {"jobs": jobs, "seconds": round(seconds, 1), "pupils_per_s": round(pupils / seconds),
                               "pairs_written": sum(written.values()), "target_minutes": 15,
                               "minutes": round(seconds / 60, 2)}
    return report
