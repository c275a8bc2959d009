"""Celery doors onto the statistics refresh: ids in, services do the work, safe to run twice."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def refresh_school_stats(school_ids: list[int]) -> int:
    return services.stats_refresh_schools(school_ids=list(school_ids))


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_all_stats() -> int:
    return services.stats_refresh_all()
