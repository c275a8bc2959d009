import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dashboards.services import stats_refresh_all
from demo_population.load import seed_demo
from demo_population.seed import SCALES
from edu_portal.common.queue import enqueue
from schools.models import School


class Command(BaseCommand):
    help = ("Load a deterministic demo data set drawn from the demo population (the mock registry's "
            "truth), over several school years, and compute the statistics of every one. "
            "Sizes: demo (80 schools), small, tenth (5,400 schools), national (54,000).")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--schools", type=int, help="number of schools (overrides --scale)")
        parser.add_argument("--seed", type=int, default=settings.DEMO_SEED)
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
        parser.add_argument("--years", type=int, default=3,
                            help="school years to build, the current one last (promotion, repetition, dropout, "
                                 "transfers and intake between them)")
        parser.add_argument("--no-past-results", action="store_true",
                            help="no results for the past years, only their enrollments (about 5 GB less a year "
                                 "at national size; the current year's results are written)")
        parser.add_argument("--no-stats", action="store_true",
                            help="do not compute the statistics after loading (stats_refresh does)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when schools already exist")
        parser.add_argument("--flush", action="store_true", help="delete all schools, staff and pupils first (and, by cascade, users, uploads and runs that refer to them)")

    def handle(self, *args, **opts):
        if opts["flush"]:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE schools_school, students_student, students_enrollment, "
                               "students_academicresult, students_physicalrecord, teachers_staffmember, "
                               "demo_population_plantedduplicate "
                               "RESTART IDENTITY CASCADE")
        elif School.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("Demo data already present: nothing to do.")
                return
            raise CommandError("Schools already exist: use --flush to replace them or --if-empty to skip.")
        if opts["years"] < 1:
            raise CommandError("--years must be at least 1.")
        result = seed_demo(schools=opts["schools"] or SCALES[opts["scale"]], seed=opts["seed"],
                           workers=opts["workers"], years=opts["years"], log=self.stdout.write,
                           population_file=settings.POPULATION_REGISTRY_POPULATION_FILE,
                           past_results=not opts["no_past_results"])
        counts = ", ".join(f"{k}: {v:,}" for k, v in result["counts"].items())
        self.stdout.write(f"Loaded {result['rows']:,} rows in {result['seconds']} s "
                          f"({result['rows_per_second']:,} rows/s). {counts}")
        if not opts["no_stats"]:
            # Every seeded year gets its statistics now: no page of a seeded year may lack them.
            started = time.monotonic()
            rows = stats_refresh_all()
            self.stdout.write(f"Statistics: {rows:,} rows (every school and year) in {time.monotonic() - started:.1f} s")
        # The registry serves the new population once it reads the file: the portal fetches the figures
        # (the enrolment ratios' denominators) as soon as a worker and the registry are up.
        try:
            enqueue("verification.population_fetch")
        except Exception as exc:  # noqa: BLE001 - no broker: the daily fetch (beat) brings them later
            self.stdout.write(f"Population figures not fetched now ({exc.__class__.__name__}); the daily fetch will.")
