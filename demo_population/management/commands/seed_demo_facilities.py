"""Demo facilities for a database seeded before facilities existed (issue 18): `seed_demo --if-empty` leaves
such a database alone, so its schools would have no site. Safe to run twice: schools that have a site are
skipped. The national `make bench-national` runs it after seed_demo, which writes facilities itself (a fresh
database: this then finds every school with its sites and writes nothing)."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from dashboards.services import stats_refresh_all
from demo_population.load import seed_demo_facilities
from facilities.models import Site
from facilities.standings import standings_refresh


class Command(BaseCommand):
    help = ("Write the demo sites, facilities and equipment (as seed_demo does) of every school that has no site, "
            "for every school year that has enrollments; then recompute the standings and the statistics.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=settings.DEMO_SEED)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any site exists")
        parser.add_argument("--no-stats", action="store_true",
                            help="do not recompute the standings and statistics (stats_refresh does)")

    def handle(self, *args, **opts):
        if opts["if_empty"] and Site.objects.exists():
            self.stdout.write("Facilities already present: nothing to do.")
            return
        # One transaction: a run stopped before the statistics leaves no sites behind, so that the next run
        # (--if-empty) does it all again rather than finding sites and leaving the figures without them.
        with transaction.atomic():
            result = seed_demo_facilities(seed=opts["seed"], log=self.stdout.write)
            counts = ", ".join(f"{k}: {v:,}" for k, v in result["counts"].items())
            self.stdout.write(f"Facilities of {result['schools']:,} schools in {result['seconds']} s. {counts}")
            if not result["schools"] or opts["no_stats"]:
                return
            # The standings under Thông tư 13/2020 first, then the figures of the years written (they count the
            # standings). The flows between years do not depend on facilities: the years' refresh leaves them.
            started = time.monotonic()
            standings = standings_refresh()
            rows = stats_refresh_all(years=result["years"])
            self.stdout.write(f"Standings: {standings:,} rows; statistics: {rows:,} rows in "
                              f"{time.monotonic() - started:.1f} s")
