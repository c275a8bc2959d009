"""Celery tasks of the reporting periods: thin doors onto the services, safe to run twice."""
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from dashboards.official import official_warm as _official_warm

from . import changes, notifications
from .models import Notification


@shared_task(name="reporting.reminders_send", acks_late=True, time_limit=600, soft_time_limit=580)
def reminders_send() -> int:
    return notifications.reminders_send()


@shared_task(name="reporting.changes_prune", acks_late=True, time_limit=600, soft_time_limit=580)
def changes_prune() -> int:
    return changes.changes_prune()


@shared_task(name="reporting.notifications_mail", acks_late=True, time_limit=300, soft_time_limit=280,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_mail(ids: list[int]) -> int:
    """One e-mail per notification, in the language its user chose (accounts.User.language; Vietnamese when they
    never chose), as the app shows it to them."""
    sent = 0
    for n in Notification.objects.filter(pk__in=ids).select_related("user", "period"):
        if n.user.email:
            with translation.override(n.user.language or settings.LANGUAGE_CODE):
                send_mail(notifications.mail_subject(), notifications.text(n), None, [n.user.email])
            sent += 1
    return sent


@shared_task(name="reporting.official_warm", acks_late=True, time_limit=300, soft_time_limit=280)
def official_warm(period_id: int, province_codes: list[str]) -> None:
    """The dashboards' most read official figures of the period, computed once an approval or acceptance commits."""
    _official_warm(period_id=period_id, province_codes=province_codes)
