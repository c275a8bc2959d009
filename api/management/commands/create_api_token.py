"""python manage.py create_api_token --user <username> --scope country|province:<code>|school:<code>
[--write] [--id-numbers] [--profile <name>]

Run by the operator at the shell, who is no portal user: the token's rights are exactly those
asked for by flags, never more than its owner holds (full ID numbers only with --id-numbers, and
only for an owner with that right)."""
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.models import ApiProfile
from api.services import api_token_create
from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse


class Command(BaseCommand):
    help = "Cấp mã truy cập API cho một người dùng; mã chỉ được in ra một lần."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="tên đăng nhập của người sở hữu mã")
        parser.add_argument("--scope", required=True, help="country | province:<mã tỉnh> | school:<mã trường>")
        parser.add_argument("--write", action="store_true", help="cho phép thêm, sửa bản ghi")
        parser.add_argument("--id-numbers", action="store_true", dest="id_numbers",
                            help="cho phép xem đầy đủ số định danh (người sở hữu phải có quyền này)")
        parser.add_argument("--name", default="", help="tên hệ thống sử dụng mã (mặc định: theo phạm vi)")
        parser.add_argument("--profile", default="", help="hồ sơ truy cập (manage.py api_profile); mặc định: không giới hạn")

    def handle(self, *args, user, scope, write, id_numbers, name, profile, **options):
        owner = User.objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"Không có người dùng '{user}'.")
        chosen = ApiProfile.objects.filter(name=profile).first() if profile else None
        if profile and chosen is None:
            raise CommandError(f"Không có hồ sơ truy cập '{profile}'.")
        try:
            token, secret = api_token_create(user=owner, name=name or f"CLI {scope}", scope=scope_parse(scope),
                                             can_write=write, can_view_id_numbers=id_numbers, profile=chosen)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        rights = ("đọc và ghi" if write else "chỉ đọc") + (", xem đầy đủ số định danh" if id_numbers else "")
        self.stderr.write(f"Mã truy cập #{token.pk} ({token.scope_label()}, {rights}) cho {owner.username}; "
                          "chỉ hiển thị một lần:")
        self.stdout.write(secret)
