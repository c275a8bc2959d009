"""Celery tasks of uploads: thin doors onto the services, safe to run twice (acks_late)."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def upload_validate_task(upload_id: int) -> None:
    services.upload_validate(upload_id=upload_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def upload_commit_task(upload_id: int) -> None:
    services.upload_commit(upload_id=upload_id)
