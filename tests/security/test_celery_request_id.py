"""A task queued during a web request logs with that request's id, in a real worker."""
import uuid

import pytest

from edu_portal.celery import app
from edu_portal.common.request_id import request_id_var
from tests.processes import thread_worker


@app.task(name="tests.security.report_request_id")
def report_request_id():
    return request_id_var.get()


@pytest.fixture
def private_queue():
    """A queue of our own: other tests' workers on the shared test broker never take our task."""
    queue = f"security-test-{uuid.uuid4().hex}"
    with thread_worker(app, queues=[queue]):
        yield queue


def test_the_request_id_travels_with_the_task(private_queue):
    token = request_id_var.set("web-req-0123456789")
    try:
        queued_in_request = report_request_id.apply_async(queue=private_queue)
    finally:
        request_id_var.reset(token)
    queued_outside = report_request_id.apply_async(queue=private_queue)
    assert queued_in_request.get(timeout=30) == "web-req-0123456789"
    assert queued_outside.get(timeout=30) == "-"
