"""Saving a class sheet (sổ điểm lớp) of 45 pupils, through the real view, against its baseline.

    ours       POST /students/class-sheet/ with the Django test client as the class's school user: 45
               rows x 12 subjects + conduct, every row changed (a score alternates), one transaction
               (students.class_sheet.class_results_record: validated first, then one INSERT and one UPDATE)
    baseline   the same 45 results written one students.services.academic_result_record call at a
               time (one transaction and a few queries per pupil): what a sheet built on the
               one-pupil service would cost, before the view's own work

Both run ITERATIONS times alternately (a busy machine slows both alike); median and p95 per save;
`ratio` = ours / baseline of the medians. The class is scratch data (a school of its own, pupil codes
ZCS...), deleted afterwards. Runs in a driver process whose Celery messages go to Redis database 12
(no worker reads them; they are purged after), so no dev worker sees the scratch school.
`python -m bench.class_sheet` runs it alone against DATABASE_URL.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from tests.processes import ROOT

BENCH_REDIS = os.environ.get("BENCH_CLASS_SHEET_REDIS_URL", "redis://127.0.0.1:6379/12")
PUPILS = 45
PREFIX = "ZCS"
TARGET_P95_S = 1.0
SCORES = {"Ngữ văn": 8, "Toán": 8.5, "Ngoại ngữ 1": 8, "Giáo dục công dân": 9, "Lịch sử và Địa lí": 8,
          "Khoa học tự nhiên": 8.3, "Công nghệ": 7.5, "Tin học": 8, "Giáo dục thể chất": "Đạt",
          "Nghệ thuật": "Đạt", "Hoạt động trải nghiệm, hướng nghiệp": "Đạt",
          "Nội dung giáo dục của địa phương": "Đạt"}


def run(quick: bool) -> dict:
    iterations = int(os.environ.get("BENCH_CLASS_SHEET_ITERATIONS", "8" if quick else "20"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev"),
           "REDIS_URL": BENCH_REDIS, "CELERY_BROKER_URL": BENCH_REDIS, "CELERY_RESULT_BACKEND": BENCH_REDIS,
           "CELERY_SPLIT_QUEUES": "false", "LOG_LEVEL": "WARNING"}
    driver = subprocess.run([sys.executable, "-m", "bench.class_sheet", "--driver", str(iterations)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=1800)
    if driver.returncode != 0:
        raise RuntimeError(f"driver failed: {driver.stderr[-3000:]}")
    return json.loads(driver.stdout.strip().splitlines()[-1])


# --- the driver --------------------------------------------------------------------------------

def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(value: float) -> float:
    return round(value * 1000, 1)


def _setup():
    import datetime as dt

    from django.db import transaction

    from accounts.models import Role, User
    from edu_portal.common.models import current_school_year
    from geo.models import Commune
    from schools.models import School
    from students.models import Enrollment, Student

    commune = Commune.objects.order_by("code").first()
    with transaction.atomic():
        school = School.objects.create(code=f"{PREFIX}{os.getpid()}", name="Trường THCS Bench Sổ điểm",
                                       level="lower_secondary", ownership="public", province_id=commune.province_id,
                                       commune=commune, address="bench")
        # Rows made directly (no verification to queue): the benchmark is the sheet, not the pupils.
        pupils = Student.objects.bulk_create(
            Student(pupil_code=f"{PREFIX}{os.getpid()}{i:03d}", full_name=f"Nguyễn Văn Bench {i:03d}",
                    date_of_birth=dt.date(2013, 1, 1) + dt.timedelta(days=i), gender="M", school=school,
                    verification_status="invalid_id")
            for i in range(PUPILS))
        Enrollment.objects.bulk_create(Enrollment(student=p, school=school, school_year=current_school_year(),
                                                  grade=7, class_name="7A") for p in pupils)
        user = User.objects.create_user(username=f"bench_sheet_{os.getpid()}", password=None, role=Role.SCHOOL,
                                        school=school)
    return school, pupils, user


def _teardown(school, user) -> None:
    from django.db import connection

    user.delete()
    with connection.cursor() as cur:
        for sql in ("DELETE FROM students_academicresult WHERE school_id = %s",
                    "DELETE FROM students_enrollment WHERE school_id = %s",
                    "DELETE FROM students_student WHERE school_id = %s",
                    "DELETE FROM schools_school WHERE id = %s"):
            cur.execute(sql, [school.pk])


def _driver(iterations: int) -> dict:
    import django

    django.setup()
    from celery import current_app
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.scope import Scope
    from edu_portal.common.models import current_school_year
    from students.assessment import subjects_for
    from students.class_sheet import cell_text
    from students.models import AcademicResult
    from students.services import academic_result_record

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    year = current_school_year()
    subjects = [s.name for s in subjects_for(7)]
    school, pupils, user = _setup()
    try:
        client = Client()
        client.force_login(user)
        url = (reverse("students:class_sheet")
               + f"?school={school.pk}&grade=7&class_name=7A&term=1")
        assert client.get(url).status_code == 200

        def post(toan: float) -> float:
            seen = dict(AcademicResult.objects.filter(student__in=pupils, school_year=year, term=1)
                        .values_list("student_id", "updated_at"))
            data = {}
            for p in pupils:
                for i, name in enumerate(subjects):
                    value = toan if name == "Toán" else SCORES.get(name)
                    data[f"c-{p.pk}-{i}"] = cell_text(value) if value is not None else ""
                data[f"k-{p.pk}"] = "tot"
                data[f"u-{p.pk}"] = seen[p.pk].isoformat() if p.pk in seen else ""
            started = time.perf_counter()
            response = client.post(url, data)
            elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise RuntimeError(f"the sheet was not saved ({response.status_code})")
            return elapsed

        scope = Scope.for_user(user)

        def one_by_one(toan: float) -> float:
            started = time.perf_counter()
            for p in pupils:
                academic_result_record(scope=scope, student=p, school_year=year, term=2, conduct_rating="tot",
                                       subject_scores={**SCORES, "Toán": toan})
            return time.perf_counter() - started

        post(8.5), one_by_one(8.5)  # warm-up, and the first save inserts: the timed ones update
        ours, baseline = [], []
        for n in range(iterations):
            toan = 8.6 if n % 2 == 0 else 8.5
            ours.append(post(toan))
            baseline.append(one_by_one(toan))
        stored = AcademicResult.objects.filter(student__in=pupils, school_year=year, term=1, subject_scores__Toán=toan)
        assert stored.count() == PUPILS
    finally:
        _teardown(school, user)
        current_app.control.purge()  # the scratch school's refresh messages, never run
    median, base = statistics.median(ours), statistics.median(baseline)
    return {"pupils": PUPILS, "subjects": len(SCORES), "iterations": iterations,
            "ours_p50_ms": _ms(median), "ours_p95_ms": _ms(_p95(ours)),
            "baseline_p50_ms": _ms(base), "baseline_p95_ms": _ms(_p95(baseline)),
            "ratio": round(median / base, 3) if base else None,
            "target_p95_ms": _ms(TARGET_P95_S), "meets_target": _p95(ours) <= TARGET_P95_S}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--driver":
        print(json.dumps(_driver(int(sys.argv[2]))))
    else:
        print(json.dumps(run(quick=os.environ.get("BENCH_QUICK", "") not in ("", "0")), indent=2))
