"""Enqueue a Celery task by its name (Zulip's `queue_event_on_commit`).

A lower layer (students, teachers, ...) reaches a feature above it (verification, dashboards) only
through a task name: it never imports the feature, so the arrows of the import graph point down.
The message leaves once the caller's transaction commits, so that the worker reads committed rows;
outside a transaction it leaves at once.
"""
from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args, task_options: dict | None = None, **kwargs) -> str:
    """Send `task_name(*args, **kwargs)` to the broker now; returns the task id.

    `task_options` are Celery's sending options (`countdown`, `task_id`, ...).
    """
    # The project's Celery app (edu_portal/celery.py, loaded by edu_portal/__init__.py) is current.
    return current_app.send_task(task_name, args=args, kwargs=kwargs, **(task_options or {})).id


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send `task_name(*args, **kwargs)` once the current transaction commits (never if it rolls
    back). Arguments must be JSON-serializable: ids, not objects."""
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs))
