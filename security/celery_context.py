"""Carry the request id into Celery tasks, so that a task's log lines name the request that
queued it (e.g. an upload confirmed on the web, processed by a worker on another machine)."""
from celery.signals import before_task_publish, task_postrun, task_prerun

from edu_portal.common.request_id import SANE_REQUEST_ID, request_id_var

HEADER = "portal_request_id"


@before_task_publish.connect(dispatch_uid="security.request_id.publish")
def add_request_id_header(headers=None, **kwargs):
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers.setdefault(HEADER, request_id)


@task_prerun.connect(dispatch_uid="security.request_id.prerun")
def adopt_request_id(task=None, **kwargs):
    request_id = None
    if task is not None:  # custom headers appear on the request, or under .headers in older protocols
        request_id = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
    request_id_var.set(request_id if request_id and SANE_REQUEST_ID.fullmatch(request_id) else "-")


@task_postrun.connect(dispatch_uid="security.request_id.postrun")
def clear_request_id(**kwargs):
    request_id_var.set("-")
