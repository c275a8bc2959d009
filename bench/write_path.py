"""What each index and each trigger of the pupils' tables costs on a write (issue 20: a lighter write path).

The rows an upload of new pupils writes (a pupil and its enrollment each), already formatted, are
COPY'd into students_student and students_enrollment, once as the tables are and once with one of
their secondary indexes dropped or one group of triggers disabled, each time in a transaction that is
rolled back (nothing is left; DROP INDEX and DISABLE TRIGGER inside a transaction are undone with
it). The difference to the full write is what that index or trigger group costs per 1,000 rows.
`bare` drops every secondary index and disables every trigger group: the physical ceiling (primary
keys and foreign keys only). Each configuration is timed BENCH_WRITE_PATH_REPEATS times (median) after a round that warms the caches.

    python -m bench.write_path      runs it alone against DATABASE_URL (a database of its own)
"""
from __future__ import annotations

import os
import statistics
import time

from bench.bare import TRIGGER_GROUPS, disable_triggers, drop_index, secondary_indexes, strip
from bench.uploads import _cleanup, _scratch, copy_final_rows, final_rows, taken_id_numbers

N_FULL, N_QUICK = 10_000, 5_000


def _timed_copy(connection, students: str, enrollments: str, setup) -> float:
    """Seconds to COPY both tables after `setup(cursor)`, all rolled back."""
    raw = connection.connection
    with raw.cursor() as cur:
        try:
            cur.execute("SET LOCAL lock_timeout = '10s'")
            setup(cur)
            started = time.perf_counter()
            copy_final_rows(cur, students, enrollments)
            return time.perf_counter() - started
        finally:
            raw.rollback()


def run(quick: bool) -> dict:
    from django.db import connection
    from django.utils import timezone

    n = int(os.environ.get("BENCH_WRITE_PATH_ROWS", N_QUICK if quick else N_FULL))
    repeats = int(os.environ.get("BENCH_WRITE_PATH_REPEATS", "3"))
    school, user = _scratch("W")
    try:
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('students_student', 'id')) "
                        "FROM generate_series(1, %s)", [n])
            ids = [r[0] for r in cur.fetchall()]
            indexes = secondary_indexes(cur)
        students, enrollments = final_rows(ids, "BW", school.pk, timezone.now().isoformat(), taken_id_numbers())
        connection.connection.autocommit = False

        configs = {"as is": lambda cur: None, "bare (pk + fk only, no triggers)": strip}
        for table, index, constraint in indexes:
            configs[f"without index {table}.{index}"] = (
                lambda cur, t=table, i=index, c=constraint: drop_index(cur, t, i, c))
        for group, prefix in TRIGGER_GROUPS.items():
            configs[f"without triggers {group}"] = lambda cur, p=prefix: disable_triggers(cur, p)
        # A first round warms the caches and is not counted (the first write of a run reads the indexes' pages
        # from disk); then interleaved rounds: a neighbour's load spreads over every configuration alike.
        for setup in configs.values():
            _timed_copy(connection, students, enrollments, setup)
        seconds: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(repeats):
            for name, setup in configs.items():
                seconds[name].append(_timed_copy(connection, students, enrollments, setup))
        connection.connection.autocommit = True
        median = {name: statistics.median(values) for name, values in seconds.items()}
        full = median["as is"]
        per_1000 = lambda s: round(s / n * 1000 * 1000, 1)  # noqa: E731 - ms per 1,000 pupils (pupil + enrollment)
        cost = {name.removeprefix("without "): {"ms_per_1000": per_1000(full - s),
                                                "share_of_write": round((full - s) / full, 3)}
                for name, s in median.items() if name.startswith("without ")}
        return {"rows": n, "repeats": repeats, "load_average": round(os.getloadavg()[0], 1),
                "as_is": {"seconds": round(full, 3), "rows_per_s": round(n / full)},
                "bare": {"seconds": round(median["bare (pk + fk only, no triggers)"], 3),
                         "rows_per_s": round(n / median["bare (pk + fk only, no triggers)"])},
                "cost": dict(sorted(cost.items(), key=lambda kv: -kv[1]["ms_per_1000"]))}
    finally:
        connection.connection.autocommit = True
        _cleanup(school, user)


if __name__ == "__main__":
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    django.setup()
    print(json.dumps(run(quick=os.environ.get("BENCH_QUICK", "") not in ("", "0")), indent=1, ensure_ascii=False))
