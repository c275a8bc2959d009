"""Celery tasks of the pupils' records: thin doors onto the services, safe to run twice (acks_late)."""
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.scope import Scope
from edu_portal.common.queue import enqueue_on_commit

from . import duplicates, services, yearend


# Explicit name: the beat schedule (settings CELERY_BEAT_SCHEDULE) names it. No arguments: each run
# reads the pending requests afresh, and a second run marks nothing twice.
@shared_task(name="students.transfers_escalate", acks_late=True, time_limit=300, soft_time_limit=280)
def transfers_escalate() -> int:
    """Escalate to the sending school's province the requests left unanswered for
    TRANSFER_ESCALATE_DAYS days; returns how many were escalated by this run."""
    return services.transfers_escalate(days=settings.TRANSFER_ESCALATE_DAYS)


# The national duplicate scan (students.duplicates): the shared ID numbers, then the birth years in
# DUPLICATES_SCAN_JOBS tasks, so that the worker's processes share them and a restart loses at most one
# task. Each is an upsert that leaves decided pairs alone: a task delivered twice (acks_late) writes
# nothing new.
@shared_task(name="students.duplicates_scan_years", acks_late=True, time_limit=3600, soft_time_limit=3500)
def duplicates_scan_years(years: list[int]) -> int:
    return sum(duplicates.duplicates_scan_years(years=years).values())


@shared_task(name="students.duplicates_scan_shared_ids", acks_late=True, time_limit=3600, soft_time_limit=3500)
def duplicates_scan_shared_ids() -> int:
    return duplicates.duplicates_scan_shared_ids()


@shared_task(name="students.duplicates_scan_country", acks_late=True, time_limit=300, soft_time_limit=280)
def duplicates_scan_country() -> list[list[int]]:
    """Enqueue the national scan's tasks; returns the birth years of each."""
    duplicates_scan_shared_ids.delay()
    groups = duplicates.scan_jobs(duplicates.scan_birth_years(), settings.DUPLICATES_SCAN_JOBS)
    for years in groups:
        duplicates_scan_years.delay(years)
    return groups


# A province's or the ministry's year-end of many schools (students.views_yearend): one set-based commit
# per task; a task delivered twice finds the pupils decided and writes nothing.
@shared_task(name="students.year_end_commit", acks_late=True, time_limit=3600, soft_time_limit=3500)
def year_end_commit(school_ids: list[int], year: int, user_id: int | None = None) -> dict:
    # The views checked the scope before enqueuing; the task runs with the country's.
    return dict(yearend.year_end_commit(scope=Scope.country(), user=None if user_id is None else
                                        get_user_model().objects.filter(pk=user_id).first(),
                                        school_ids=school_ids, year=year))


# The turn of the school year (beat, daily at night): from 1 August, once per year (students.yearend), in
# parts of schools run at the same time (students.yearend.ROLLOVER_PARTS). `year` given: the
# ministry's own start, no window.
@shared_task(name="students.year_rollover", acks_late=True, time_limit=600, soft_time_limit=580)
def year_rollover(year: int | None = None, user_id: int | None = None) -> dict | None:
    year = yearend.year_rollover_due() if year is None else year
    if year is None:
        return None
    user = None if user_id is None else get_user_model().objects.filter(pk=user_id).first()
    with transaction.atomic():
        marker, parts = yearend.year_rollover_start(year=year, user=user)
        for number, part in enumerate(parts):
            enqueue_on_commit("students.year_rollover_part", year, part, marker.pk, number)
    return {"school_year": year, "parts": len(parts)}


@shared_task(name="students.year_rollover_part", acks_late=True, time_limit=7200, soft_time_limit=7000)
def year_rollover_part(year: int, school_ids: list[int], marker_id: int, part: int) -> dict:
    counts = yearend.year_rollover_part(year=year, school_ids=school_ids)
    yearend.year_rollover_part_done(marker_id=marker_id, part=part, counts=dict(counts))
    return dict(counts)


# Pupils just created or whose identity changed (students.services, uploads' commit, by this name after
# the commit): their pairs, scored as the national scan scores them. An upsert: safe to run twice.
@shared_task(name="students.duplicates_scan_pupils", acks_late=True, time_limit=300, soft_time_limit=280)
def duplicates_scan_pupils(ids: list[int]) -> int:
    return duplicates.duplicates_scan_pupils(ids=ids)
