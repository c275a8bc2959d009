"""Celery doors onto the facilities services: ids in, the services do the work, safe to run twice."""
from celery import shared_task

from . import standings


@shared_task(name="facilities.standings_refresh", acks_late=True, time_limit=1800, soft_time_limit=1700)
def standings_refresh(school_ids: list[int] | None = None) -> int:
    """The standings under Thông tư 13/2020 of these schools (None: every school), e.g. after the standard's
    thresholds change; the statistics refresh also recomputes them for the schools it refreshes."""
    return standings.standings_refresh(school_ids=school_ids)
