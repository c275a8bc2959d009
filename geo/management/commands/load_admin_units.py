from django.core.management.base import BaseCommand

from geo.services import admin_units_load


class Command(BaseCommand):
    help = "Load the 34 provinces, 3,321 communes, 63 pre-2025 provinces and 54 ethnic groups (idempotent)."

    def handle(self, *args, **options):
        counts = admin_units_load()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
