"""python manage.py api_profile --name <name> --rules '<JSON>' [--description ...]

Creates an API profile or replaces its rules (api.profiles: the parts of the API a token reaches and the fields
of the records it reads and writes); `create_api_token --profile <name>` issues tokens under it."""
import json

from django.core.management.base import BaseCommand, CommandError

from api.services import api_profile_save
from edu_portal.common.exceptions import AppError


class Command(BaseCommand):
    help = "Tạo hoặc sửa hồ sơ truy cập API (các phần API và trường dữ liệu được đọc, ghi)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--rules", required=True,
                            help='JSON, ví dụ {"students": {"read": ["full_name"], "write": []}, "stats": {"read": "*"}}')
        parser.add_argument("--description", default="")

    def handle(self, *args, name, rules, description, **options):
        try:
            profile = api_profile_save(name=name, rules=json.loads(rules), description=description)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--rules: không phải JSON ({exc}).") from exc
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Hồ sơ {profile.name}: {json.dumps(profile.rules, ensure_ascii=False)}")
