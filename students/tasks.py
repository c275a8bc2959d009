"""Celery tasks of the pupils' records: thin doors onto the services, safe to run twice (acks_late)."""
from celery import shared_task
from django.conf import settings

from . import duplicates, services


# Explicit name: the beat schedule (settings CELERY_BEAT_SCHEDULE) names it. No arguments: each run
# reads the pending requests afresh, and a second run marks nothing twice.
@shared_task(name="students.transfers_escalate", acks_late=True, time_limit=300, soft_time_limit=280)
def transfers_escalate() -> int:
    """Escalate to the sending school's province the requests left unanswered for
    TRANSFER_ESCALATE_DAYS days; returns how many were escalated by this run."""
    return services.transfers_escalate(days=settings.TRANSFER_ESCALATE_DAYS)


# The national duplicate scan (students.duplicates), one province per task so that a worker restart
# loses at most one province's statement; each is an upsert that leaves decided pairs alone, so a
# task delivered twice (acks_late) writes nothing new.
@shared_task(name="students.duplicates_scan_province", acks_late=True, time_limit=3600, soft_time_limit=3500)
def duplicates_scan_province(province_code: str) -> int:
    return duplicates.duplicates_scan_province(province_code=province_code)


@shared_task(name="students.duplicates_scan_country", acks_late=True, time_limit=300, soft_time_limit=280)
def duplicates_scan_country() -> list[str]:
    """Enqueue one province scan per province with schools; returns the provinces enqueued."""
    provinces = duplicates.scan_provinces()
    for code in provinces:
        duplicates_scan_province.delay(code)
    return provinces


# Pupils just created or whose identity changed (students.services, uploads' commit, by this name after
# the commit): their pairs, scored as the national scan scores them. An upsert: safe to run twice.
@shared_task(name="students.duplicates_scan_pupils", acks_late=True, time_limit=300, soft_time_limit=280)
def duplicates_scan_pupils(ids: list[int]) -> int:
    return duplicates.duplicates_scan_pupils(ids=ids)
