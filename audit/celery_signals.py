"""Tasks write as door "task" ("upload" for the uploads app's tasks) under the task's name, with
the id of the user (and API token) whose request (or task) queued them, carried in a message
header; the request id travels in its own header (security/celery_context.py) and is read when
the actor is pushed. An upload commit is queued by the confirm request, so its rows name the user
who committed and that request."""
from celery.signals import before_task_publish, task_postrun, task_prerun

from . import context
from .models import Door

HEADER = "portal_actor"
_tokens: dict[str, object] = {}
# Tasks done for one thing a person can open (an upload): its id follows the task's name in the actor,
# "uploads.tasks.upload_commit_task#123", so the trail's page reads "Tải lên #123" and links to it.
SUBJECTS = {"uploads.tasks.upload_commit_task": "upload_id", "uploads.tasks.upload_validate_task": "upload_id",
            "uploads.bulk_run": "job_id"}  # a bulk upsert of the API: its job (no page; the job's token reads it)


@before_task_publish.connect(dispatch_uid="audit.actor.publish")
def add_actor_header(headers=None, **kwargs):
    if headers is None:
        return
    actor_id, actor, _door, _request_id, token_id = context.current_actor().values()
    if actor_id is not None:
        value = {"id": actor_id, "name": actor}
        if token_id is not None:
            value["token_id"] = token_id
        headers.setdefault(HEADER, value)


def _queued_by(task) -> tuple[int | None, int | None]:
    """(user id, API token id) of whoever queued the task."""
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    if not isinstance(value, dict):
        return None, None
    try:
        actor_id = int(value["id"])
    except (KeyError, TypeError, ValueError):
        return None, None
    try:
        token_id = int(value["token_id"]) if value.get("token_id") is not None else None
    except (TypeError, ValueError):
        token_id = None
    return actor_id, token_id


def _actor_name(task, args, kwargs) -> str:
    parameter = SUBJECTS.get(task.name)
    if parameter is None:
        return task.name
    value = (kwargs or {}).get(parameter, (args or [None])[0])
    return f"{task.name}#{value}" if isinstance(value, int) else task.name


@task_prerun.connect(dispatch_uid="audit.actor.prerun")
def adopt_actor(task_id=None, task=None, args=None, kwargs=None, **_kwargs):
    if task is None:
        return
    door = Door.UPLOAD if task.name.startswith("uploads.") else Door.TASK
    actor_id, token_id = _queued_by(task)
    name = _actor_name(task, args, kwargs)
    _tokens[task_id] = context._actor.set(context.Actor(door=door, actor=name[:150], actor_id=actor_id,
                                                        token_id=token_id))
    # At once, not on the first write: tasks write through the raw psycopg2 cursor (the uploads'
    # COPY and set-based upserts), which the execute wrapper does not see. (Celery's Django
    # fix-up may close this connection right after us; the next one is pushed when it opens:
    # context.install_wrapper.)
    context.ensure_pushed()


@task_postrun.connect(dispatch_uid="audit.actor.postrun")
def drop_actor(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    try:
        context.clear(token)
    except ValueError:  # token made in another context (should not happen): fall back
        context.clear()
