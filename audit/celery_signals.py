"""Tasks write as door "task" ("upload" for the uploads app's tasks) under the task's name, with
the id of the user whose request (or task) queued them, carried in a message header."""
from celery.signals import before_task_publish, task_postrun, task_prerun

from . import context
from .models import Door

HEADER = "portal_actor"
_tokens: dict[str, object] = {}


@before_task_publish.connect(dispatch_uid="audit.actor.publish")
def add_actor_header(headers=None, **kwargs):
    if headers is None:
        return
    actor_id, actor, _door, _request_id, _token_id = context.current_actor().values()
    if actor_id is not None:
        headers.setdefault(HEADER, {"id": actor_id, "name": actor})


def _queued_by(task) -> int | None:
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    try:
        return int(value["id"]) if isinstance(value, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


@task_prerun.connect(dispatch_uid="audit.actor.prerun")
def adopt_actor(task_id=None, task=None, **kwargs):
    if task is None:
        return
    door = Door.UPLOAD if task.name.startswith("uploads.") else Door.TASK
    _tokens[task_id] = context._actor.set(context.Actor(door=door, actor=task.name[:150], actor_id=_queued_by(task)))
    # At once, not on the first write: tasks write through the raw psycopg2 cursor (the uploads'
    # COPY and set-based upserts), which the execute wrapper does not see.
    context.ensure_pushed()


@task_postrun.connect(dispatch_uid="audit.actor.postrun")
def drop_actor(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    try:
        context.clear(token)
    except ValueError:  # token made in another context (should not happen): fall back
        context.clear()
