"""Celery doors onto the statistics refresh: ids in, services do the work, safe to run twice.

Enqueued by name (edu_portal.common.queue): "dashboards.refresh_schools" after any write that changes
a school's figures (a record edited, an upload committed, verification answers landing);
"dashboards.tasks.refresh_all_stats" (every year and the flows) when beat starts and after the
rollover; by beat, "dashboards.refresh_current_year" every 15 minutes (the current school year, and
the next once it is open), "dashboards.refresh_flows" each night, and "dashboards.refresh_leavers_due"
each day (leavers whose left_on is today).
"""
from celery import shared_task
from celery.signals import beat_init

from . import selectors, services


# A partial refresh takes milliseconds but may wait for a running full refresh (advisory lock).
@shared_task(name="dashboards.refresh_schools", acks_late=True, time_limit=600, soft_time_limit=540)
def refresh_school_stats(school_ids: list[int]) -> int:
    school_ids = list(school_ids)
    rows = services.stats_refresh_schools(school_ids=school_ids)
    selectors.stats_warm(province_codes=selectors.provinces_of(school_ids=school_ids))
    return rows


@shared_task(name="dashboards.tasks.refresh_all_stats", acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_all_stats() -> int:
    rows = services.stats_refresh_all()
    selectors.stats_warm()
    return rows


@shared_task(name="dashboards.refresh_current_year", acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_current_year() -> int:
    rows = services.stats_refresh_current_years()
    selectors.stats_warm()
    return rows


@shared_task(name="dashboards.refresh_flows", acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_flows() -> int:
    return services.stats_refresh_flows()


@shared_task(name="dashboards.refresh_leavers_due", acks_late=True, time_limit=600, soft_time_limit=540)
def refresh_leavers_due() -> list[int]:
    """Daily (beat, just after midnight): the schools whose leavers leave the counts today."""
    school_ids = services.stats_refresh_leavers_due()
    if school_ids:
        selectors.stats_warm(province_codes=selectors.provinces_of(school_ids=school_ids))
    return school_ids


@beat_init.connect
def refresh_when_beat_starts(sender=None, **kwargs) -> None:
    """Beat runs an interval entry first only after a whole interval: compute the figures once at
    start, so that a freshly started portal (`make run` after `seed_demo`) shows them."""
    refresh_all_stats.delay()
