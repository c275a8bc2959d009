"""Celery tasks of identity verification: thin doors onto services.py.

Retries use Celery's own machinery (self.retry with a countdown): exponential backoff with jitter
for failures, the registry's Retry-After for 429s. Late acknowledgement (CELERY_TASK_ACKS_LATE)
means a worker killed mid-batch leaves the message to be delivered again; the batch re-reads which
records are still queued, so a repeat changes nothing that is already answered.

Every task has an explicit name: services and other apps enqueue them by that name
(edu_portal.common.queue) and never import this module. The older ones keep the names Celery gave
them (beat schedules, routes and messages already in the broker use them).
"""
from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from . import population, services
from .registry_client import RegistryError, RegistryRejected

logger = logging.getLogger(__name__)
# 429s and our own rate limit are waits, not failures; still, a batch gives up after this many.
MAX_RETRIES = 200


def backoff(failures: int) -> float:
    """Exponential backoff with full jitter: base * 2^(n-1), capped, times a random 0.5-1.5."""
    base = settings.VERIFICATION_BACKOFF_BASE * 2 ** max(0, failures - 1)
    return min(settings.VERIFICATION_BACKOFF_MAX, base) * random.uniform(0.5, 1.5)


@shared_task(name="verification.identities_verify", acks_late=True, time_limit=300, soft_time_limit=270)
def identities_verify(kind: str, ids: list[int]) -> int:
    """Hand these records ("student" or "staff" ids, just created or edited) to the workers in batches."""
    return services.batches_enqueue(kind=kind, ids=list(ids))


@shared_task(name="verification.tasks.verify_records", bind=True, acks_late=True, max_retries=MAX_RETRIES,
             time_limit=300, soft_time_limit=270)
def verify_records(self, kind: str, ids: list[int], run_id: int | None = None, failures: int = 0) -> dict:
    """Verify the records `ids` of `kind` ("student" or "staff") in one call to the registry."""
    services.batch_started(self.request.id)
    try:
        counts = services.batch_verify(kind=kind, ids=ids, run_id=run_id)
    except RegistryRejected as exc:
        logger.error("verification: registry rejected a batch of %s %s: %s", len(ids), kind, exc)
        services.batch_give_up(kind=kind, ids=ids, run_id=run_id, message=str(exc))
        services.batch_done(self.request.id)
        return {"error": len(ids)}
    except RegistryError as exc:
        failures += int(exc.counts_as_failure)
        if failures >= settings.VERIFICATION_MAX_FAILURES or self.request.retries >= MAX_RETRIES:
            marked = services.batch_give_up(kind=kind, ids=ids, run_id=run_id, message=str(exc))
            services.batch_done(self.request.id)
            return {"error": marked}
        if exc.counts_as_failure:
            countdown = max(exc.retry_after or 0, backoff(failures))
        else:
            # Honour Retry-After, plus jitter so that the waiting batches do not return together.
            countdown = (exc.retry_after or 1.0) + random.uniform(0, 1.0)
        raise self.retry(args=(kind, ids), kwargs={"run_id": run_id, "failures": failures},
                         countdown=countdown, exc=exc) from None
    services.batch_done(self.request.id)
    return dict(counts)


@shared_task(name="verification.tasks.run_plan_task", acks_late=True, time_limit=300, soft_time_limit=270)
def run_plan_task(run_id: int, kind: str | None = None, after: int = 0) -> None:
    """Hand out a run's records in batches, one step at a time (a country holds millions: never
    in a web request, and never all in the broker at once); each step schedules the next."""
    following = services.run_plan(run_id=run_id, kind=kind, after=after)
    if following:
        run_plan_task.apply_async(args=(run_id, *following), countdown=1)


@shared_task(name="verification.tasks.verification_sweep", acks_late=True, time_limit=600, soft_time_limit=540)
def verification_sweep() -> dict:
    """Beat: re-queue `error` records, lost batches and queued records nobody carries."""
    return services.verification_sweep()


@shared_task(name="verification.schools_changed_flush", acks_late=True, time_limit=60, soft_time_limit=50)
def schools_changed_flush() -> int:
    """Hand the schools whose verification states changed to the dashboards' refresh task."""
    return services.schools_changed_flush()


@shared_task(name="verification.tasks.enrichment_push", acks_late=True, time_limit=1800, soft_time_limit=1700)
def enrichment_push() -> int:
    """Beat: push education data of verified pupils to the registry, in batches."""
    try:
        return services.enrichment_push()
    except RegistryError as exc:
        logger.warning("enrichment: registry unavailable, next beat continues: %s", exc)
        return 0


POPULATION_RETRIES = 8


@shared_task(name="verification.population_fetch", bind=True, acks_late=True, max_retries=POPULATION_RETRIES,
             time_limit=600, soft_time_limit=540)
def population_fetch(self, school_years: list[int] | None = None, failures: int = 0) -> dict:
    """Daily (beat) and after seed_demo: the registry's population counts of the recent school years.
    A registry that is down or busy is asked again later (it may still be starting after `make run`);
    one that refuses the request is logged, not retried. Users never wait on it."""
    try:
        stored = population.population_fetch(school_years=school_years)
    except RegistryRejected as exc:
        logger.error("population: the registry refused the statistics request: %s", exc)
        return {"error": str(exc)}
    except RegistryError as exc:
        failures += int(exc.counts_as_failure)
        if self.request.retries >= POPULATION_RETRIES:
            logger.error("population: giving up after %s tries: %s", self.request.retries + 1, exc)
            return {"error": str(exc)}
        countdown = max(exc.retry_after or 0, backoff(max(1, failures)))
        logger.warning("population: registry unavailable (%s); again in %.0f s", exc, countdown)
        raise self.retry(countdown=countdown, kwargs={"school_years": school_years, "failures": failures}) from exc
    return {str(year): rows for year, rows in stored.items()}


@beat_init.connect
def fetch_population_when_beat_starts(sender=None, **kwargs) -> None:
    """The daily entry runs at night: fetch once when beat starts, so that a portal started with
    `make run` on a database seeded earlier has its population figures (five small requests)."""
    population_fetch.delay()
