"""A notification's e-mail is written in the language its user chose (issue 21), Vietnamese when they never chose."""
import pytest
from django.core import mail

from accounts.models import Role
from accounts.scope import Scope
from reporting import services, tasks
from reporting.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_user_gets_the_mail_in_the_language_they_chose(period, school_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    english = UserFactory(username="t_mail_en", role=Role.PROVINCE, province_id="01", email="en@hanoi.edu.vn",
                          language="en")
    vietnamese = UserFactory(username="t_mail_vi", role=Role.PROVINCE, province_id="01", email="vi@hanoi.edu.vn")
    services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school_a.pk)
    ids = list(Notification.objects.filter(user__in=[english, vietnamese]).values_list("pk", flat=True))
    assert tasks.notifications_mail(ids) == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "đã nộp báo cáo" in bodies["vi@hanoi.edu.vn"]
    assert "đã nộp báo cáo" not in bodies["en@hanoi.edu.vn"] and school_a.name in bodies["en@hanoi.edu.vn"]
