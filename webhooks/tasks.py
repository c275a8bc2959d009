"""Celery tasks of the webhooks app: thin doors onto its services, each safe to run twice."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings

from edu_portal.common.queue import enqueue

from . import services

# A retry sooner than this waits in the broker (countdown); a later one waits in the database for the beat
# task: Redis redelivers a message held longer than its visibility timeout, and the row is the durable record.
RETRY_IN_BROKER_SECONDS = 60


@shared_task(name="webhooks.deliver", acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def deliver(delivery_id: int) -> None:
    delay = services.delivery_attempt(delivery_id=delivery_id)
    if delay is not None and delay <= RETRY_IN_BROKER_SECONDS:
        enqueue("webhooks.deliver", delivery_id, task_options={"countdown": delay})


@shared_task(name="webhooks.deliveries_send", acks_late=True, ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> None:
    services.deliveries_send(delivery_ids=delivery_ids)


@shared_task(name="webhooks.deliveries_resend", acks_late=True, ignore_result=True)
def deliveries_resend() -> int:
    return services.deliveries_resend()


@shared_task(name="webhooks.events_prune", acks_late=True, ignore_result=True)
def events_prune() -> int:
    return services.events_prune(days=settings.WEBHOOKS_RETENTION_DAYS)
