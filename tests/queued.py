"""What the code under test left in the Celery broker (the real Redis of the test settings).

Tests without a worker check that a write asked for the right follow-up work (verification,
statistics) by reading the messages waiting in the queue: the task's name and its arguments,
exactly what a worker would receive.
"""
from __future__ import annotations

import base64
import json

import redis
from django.conf import settings

QUEUE = "celery"  # the default queue (CELERY_SPLIT_QUEUES is off in tests)


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def clear() -> None:
    _client().delete(QUEUE)


def queued_tasks() -> list[tuple[str, list, dict]]:
    """(task name, args, kwargs) of each message waiting in the default queue, oldest first."""
    out = []
    for raw in reversed(_client().lrange(QUEUE, 0, -1)):  # kombu pushes on the left
        message = json.loads(raw)
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _embed = json.loads(body)
        out.append((message["headers"]["task"], args, kwargs))
    return out
