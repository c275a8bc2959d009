"""python manage.py create_api_token --user <username> --scope country|province:<code>|school:<code> [--write]"""
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.scope import scope_parse
from api.services import api_token_create
from edu_portal.common.exceptions import AppError


class Command(BaseCommand):
    help = "Cấp mã truy cập API cho một người dùng; mã chỉ được in ra một lần."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="tên đăng nhập của người sở hữu mã")
        parser.add_argument("--scope", required=True, help="country | province:<mã tỉnh> | school:<mã trường>")
        parser.add_argument("--write", action="store_true", help="cho phép thêm, sửa bản ghi")
        parser.add_argument("--name", default="", help="tên hệ thống sử dụng mã (mặc định: theo phạm vi)")

    def handle(self, *args, user, scope, write, name, **options):
        owner = User.objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"Không có người dùng '{user}'.")
        try:
            token, secret = api_token_create(user=owner, name=name or f"CLI {scope}", scope=scope_parse(scope),
                                             can_write=write)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"Mã truy cập #{token.pk} ({token.scope_label()}, "
                          f"{'đọc và ghi' if write else 'chỉ đọc'}) cho {owner.username}; chỉ hiển thị một lần:")
        self.stdout.write(secret)
