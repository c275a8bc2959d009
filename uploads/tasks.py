"""Celery tasks of uploads: thin doors onto the services, safe to run twice (acks_late).

A database that goes away mid-task (a restart, a failover) rolls the transaction back, so the
task is simply tried again with backoff until the database is back (make drill shows it).
"""
from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

DATABASE_GONE = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2, "retry_backoff_max": 60,
                 "retry_jitter": True, "max_retries": 12}


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740, **DATABASE_GONE)
def upload_validate_task(upload_id: int) -> None:
    services.upload_validate(upload_id=upload_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740, **DATABASE_GONE)
def upload_commit_task(upload_id: int) -> None:
    services.upload_commit(upload_id=upload_id)
