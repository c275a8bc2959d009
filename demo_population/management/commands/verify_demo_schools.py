"""python manage.py verify_demo_schools: verify the demo logins' schools once, so a new user signing in
as `school` finds its to-do list as a real school would after the province's run (mismatches, numbers
unknown to the registry), not a list of never-checked records. Safe to run at every start: a school
whose pupils were all sent once is left alone."""
from django.core.management.base import BaseCommand

from demo_population.services import demo_users_ensure
from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse
from students.models import Student
from verification.services import run_start


class Command(BaseCommand):
    help = "Start a verification run for each demo login's school that still has never-verified pupils."

    def handle(self, *args, **options):
        for user in demo_users_ensure():
            if user.school is None:  # the ministry and province logins
                continue
            if not Student.objects.filter(school=user.school, verification_status="unverified").exists():
                continue
            try:
                run = run_start(scope=scope_parse(f"school:{user.school.code}"))
            except AppError as exc:  # a run already covers it (started at an earlier start)
                self.stdout.write(f"{user.username}: {exc.message}")
                continue
            self.stdout.write(f"{user.username}: verification run #{run.pk} started for {user.school}")
