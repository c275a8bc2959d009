"""The demo logins of dev settings: ministry, hanoi and school (see README)."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create
from edu_portal.common.exceptions import AppError
from schools.models import School


@transaction.atomic
def demo_users_ensure() -> list[User]:
    """The three demo logins (ministry, hanoi, school); only where settings allow demo logins."""
    if not settings.DEMO_LOGINS_ENABLED:
        raise AppError("Tài khoản demo chỉ có ở môi trường phát triển.", code="demo_disabled")
    school = School.objects.filter(province_id="01", status="open").order_by("code").first()
    if school is None:
        raise AppError("Chưa có trường nào ở Hà Nội: hãy chạy seed_demo trước.", code="no_demo_school")
    wanted = [
        dict(username="ministry", role=Role.MINISTRY, full_name="Chuyên viên Bộ GD&ĐT"),
        dict(username="hanoi", role=Role.PROVINCE, province_id="01", full_name="Chuyên viên Sở GD&ĐT Hà Nội"),
        dict(username="school", role=Role.SCHOOL, school_id=school.pk, may_view_id_numbers=True,
             full_name=f"Quản trị {school.name}"),
    ]
    users = []
    for spec in wanted:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            users.append(user_create(password=settings.DEMO_PASSWORD, **spec))
            continue
        # Re-running keeps the user (uploads, tokens and the audit trail refer to it).
        user.first_name = spec.pop("full_name")
        for field, value in spec.items():
            setattr(user, field, value)
        user.set_password(settings.DEMO_PASSWORD)
        user.is_active = True
        user.save()
        users.append(user)
    return users
