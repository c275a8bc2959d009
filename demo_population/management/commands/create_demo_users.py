from django.core.management.base import BaseCommand

from demo_population.services import demo_users_ensure


class Command(BaseCommand):
    help = "Create the demo logins ministry, hanoi, school, school2 and school_hcm (dev settings only)."

    def handle(self, *args, **options):
        for user in demo_users_ensure():
            where = user.school or user.province or "Toàn quốc"
            self.stdout.write(f"{user.username:10s} {user.get_role_display()} — {where}")
