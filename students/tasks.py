"""Celery tasks of the pupils' records: thin doors onto the services, safe to run twice (acks_late)."""
from celery import shared_task
from django.conf import settings

from . import services


# Explicit name: the beat schedule (settings CELERY_BEAT_SCHEDULE) names it. No arguments: each run
# reads the pending requests afresh, and a second run marks nothing twice.
@shared_task(name="students.transfers_escalate", acks_late=True, time_limit=300, soft_time_limit=280)
def transfers_escalate() -> int:
    """Escalate to the sending school's province the requests left unanswered for
    TRANSFER_ESCALATE_DAYS days; returns how many were escalated by this run."""
    return services.transfers_escalate(days=settings.TRANSFER_ESCALATE_DAYS)
