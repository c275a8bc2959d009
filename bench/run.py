"""Run every benchmark in one go and write one report (bench/results/<date>.md and .json).

Each figure is measured side by side with its baseline in the same run. Benchmarks run against a
database of their own (BENCH_DATABASE_URL, default the `edu_portal_bench` database on the dev
server), seeded at one tenth of national scale (`QUICK=1`: a small data set), so that the dev
database is never touched.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from contextlib import closing
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MODULES = ["seed", "uploads", "write_path", "school_upload", "verification", "dashboards", "api", "bulk", "name_order", "partitioning",
           "class_sheet", "transfers", "name_search", "duplicates", "year_end", "facilities_upload",
           "reporting"]


def _setup_database(quick: bool) -> dict:
    base = os.environ.get("DATABASE_URL", "postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal")
    url = os.environ.get("BENCH_DATABASE_URL", base.rsplit("/", 1)[0] + "/edu_portal_bench")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    # Measured as production runs: without DEBUG, which keeps the text of every query of a process (up to 9,000,
    # the batches' with their thousands of values): the upload's peak memory for a million rows was 607 MB with
    # it, 388 MB without. The servers the modules start (api, bulk) already ran without it.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    # The in-process timings (dashboards, reporting's pages) call the API hundreds of times a minute as one user:
    # the throttle (600/minute by default) would answer 429 and fail the module; its speed is not what they time.
    os.environ.setdefault("API_THROTTLE_RATE", "1000000000/minute")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    import psycopg2
    from psycopg2 import sql

    # Not `with psycopg2.connect(...) as conn`: since psycopg2 2.9 that block opens a transaction
    # even on an autocommit connection, and CREATE DATABASE refuses to run inside one.
    with closing(psycopg2.connect(admin)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("BENCH_MIGRATE", "1") != "0":  # 0: measure the schema as it is (a before/after pair)
        call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0)
    return {"database": name}


def _machine() -> dict:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    return {"cpus": os.cpu_count(), "memory_gib": round(int(mem) / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def _run_module(name: str, quick: bool) -> dict:
    started = time.monotonic()
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        return {"status": "missing", "reason": f"bench.{name} not present ({exc})"}
    try:
        result = module.run(quick=quick)
        result.setdefault("status", "ok")
    except Exception as exc:  # noqa: BLE001 - a failed benchmark is reported, the others still run
        result = {"status": "failed", "reason": f"{exc.__class__.__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=5)}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _markdown(report: dict) -> str:
    lines = [f"# edu_portal benchmark report — {report['date']}", "",
             f"Mode: {'QUICK' if report['quick'] else 'full'}; machine: {report['machine']}", ""]
    for name, result in report["benchmarks"].items():
        lines += [f"## {name}", "", f"status: {result.get('status')} ({result.get('seconds')} s)", ""]
        if result.get("reason"):
            lines += [f"reason: {result['reason']}", ""]
        lines += ["| figure | value |", "| --- | --- |"]
        for key, value in _flatten(result):
            if key in ("status", "seconds", "reason", "traceback", "plots"):
                continue
            lines.append(f"| {key} | {value} |")
        for plot in result.get("plots", []):
            lines += ["", f"![{name}]({Path(plot).name})"]
        lines.append("")
    lines += [f"![{Path(plot).stem}]({Path(plot).name})" for plot in report.get("plots", [])]
    return "\n".join(lines)


def _flatten(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}{key}." if not isinstance(value, dict) else f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), data


def main() -> None:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    only = [m for m in os.environ.get("BENCH_ONLY", "").split(",") if m]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    report = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
              "machine": _machine(), "setup": _setup_database(quick), "benchmarks": {}}
    for name in only or MODULES:
        print(f"== bench.{name} ...", flush=True)
        report["benchmarks"][name] = _run_module(name, quick)
        print(json.dumps(report["benchmarks"][name], ensure_ascii=False, default=str)[:2000], flush=True)
    RESULTS.mkdir(exist_ok=True)
    # BENCH_LABEL names a report of its own (e.g. `national`: the modules run on the national
    # database, BENCH_DATABASE_URL, next to the tenth-scale report of the same day).
    label = os.environ.get("BENCH_LABEL", "") or ("quick" if quick else "")
    stem = RESULTS / "-".join(filter(None, [dt.datetime.now().astimezone().date().isoformat(), label]))
    previous = stem.with_suffix(".json")
    if only and previous.exists():
        # A partial run (BENCH_ONLY) updates today's report instead of replacing it.
        merged = json.loads(previous.read_text())
        if merged.get("quick") == quick:
            merged["benchmarks"].update(report["benchmarks"])
            merged.setdefault("updated", []).append({"date": report["date"], "modules": only})
            report = merged
    from bench.plots import make_plots

    report["plots"] = make_plots(report, stem)
    stem.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    stem.with_suffix(".md").write_text(_markdown(report))
    print(f"Report: {stem}.md")


if __name__ == "__main__":
    main()
