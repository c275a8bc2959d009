"""python manage.py verify --scope country|province:<code>|school:<code> [--wait]"""
import time

from django.core.management.base import BaseCommand, CommandError

from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse
from verification import selectors, services


class Command(BaseCommand):
    help = "Start a verification run for a scope against the population registry (workers do the calls)."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="country | province:<code> | school:<MOET code>")
        parser.add_argument("--include-verified", action="store_true", help="re-check verified records too")
        parser.add_argument("--wait", action="store_true", help="wait and print progress until the run ends")

    def handle(self, *args, scope, include_verified, wait, **options):
        try:
            run = services.run_start(scope=scope_parse(scope), include_verified=include_verified)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Run #{run.pk} started for {run.scope_label}; the workers hand out and verify "
                          f"its records.")
        if not wait:
            return
        while True:
            time.sleep(1)
            run.refresh_from_db()
            progress = selectors.run_progress(run=run)
            run = progress["run"]
            states = ", ".join(f"{s['status']}={s['count']}" for s in progress["states"])
            eta = progress["eta_seconds"]
            self.stdout.write(f"  {progress['processed']}/{progress['total']} ({progress['percent']}%), "
                              f"{progress['rate']}/s{f', ~{eta}s left' if eta is not None else ''}: {states}")
            if not run.is_active:
                break
        self.stdout.write(self.style.SUCCESS(
            f"Run #{run.pk} {run.status}: {run.total} records checked, {run.skipped_verified} already verified, "
            f"{run.skipped_invalid} invalid ID numbers; verified share in scope: {progress['verified_share']}%"))
