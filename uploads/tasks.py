"""Celery tasks of uploads: thin doors onto the services, safe to run twice (acks_late).

A database that goes away mid-task (a restart, a failover) rolls the transaction back, so the
task is simply tried again with backoff until the database is back (make drill shows it).
"""
import logging

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from . import services
from .models import UploadStatus
from .services.bulk import bulk_job_give_up, bulk_job_run

logger = logging.getLogger(__name__)

DATABASE_GONE = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2, "retry_backoff_max": 60,
                 "retry_jitter": True, "max_retries": 12}


# With late acks, a worker killed while it runs a task (out of memory, the time limit's SIGKILL)
# leaves the message unacknowledged and the broker hands it out again: a file that kills every
# worker that reads it would be redelivered forever. Each delivery of a message (the same task id
# at the same retry; a retry after a database outage is a new message) is counted in Redis, and
# past MAX_DELIVERIES the upload is marked failed instead of being run again.
MAX_DELIVERIES = 3
DELIVERY_COUNT_SECONDS = 2 * 24 * 3600


def _delivery(task) -> int:
    """The how-manieth start of this message this is (1 on the first; a direct call is no delivery)."""
    if not task.request.id:
        return 1
    key = f"uploads:deliveries:{task.request.id}:{task.request.retries}"
    try:
        cache.add(key, 0, timeout=DELIVERY_COUNT_SECONDS)
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - the count is a safeguard: without Redis the task still runs
        logger.warning("uploads: delivery count unavailable for task %s", task.request.id, exc_info=True)
        return 1


def _given_up(task, upload_id: int, *, statuses: tuple, message: str) -> bool:
    """True (and the upload marked failed) when this message was delivered too often."""
    count = _delivery(task)
    if count <= MAX_DELIVERIES:
        return False
    logger.error("upload %s: task %s delivered %s times; marked failed", upload_id, task.name, count)
    services.upload_give_up(upload_id=upload_id, statuses=statuses, message=message)
    return True


# Explicit names (the services enqueue by name and never import this module); these keep the names
# Celery gave them, which the audit trail records and messages already queued carry.
@shared_task(name="uploads.tasks.upload_validate_task", bind=True, acks_late=True, time_limit=1800,
             soft_time_limit=1740, **DATABASE_GONE)
def upload_validate_task(self, upload_id: int) -> None:
    if _given_up(self, upload_id, statuses=(UploadStatus.PENDING, UploadStatus.VALIDATING),
                 message="Việc kiểm tra tệp này bị gián đoạn nhiều lần (tệp có thể quá lớn hoặc được tạo bất "
                         "thường); không có gì được ghi. Hãy lưu lại tệp dưới dạng CSV UTF-8 hoặc chia nhỏ rồi "
                         "tải lên lại."):
        return
    services.upload_validate(upload_id=upload_id)


@shared_task(name="uploads.tasks.upload_commit_task", bind=True, acks_late=True, time_limit=1800,
             soft_time_limit=1740, **DATABASE_GONE)
def upload_commit_task(self, upload_id: int) -> None:
    if _given_up(self, upload_id, statuses=(UploadStatus.COMMITTING,),
                 message="Việc ghi dữ liệu bị gián đoạn nhiều lần; không có gì được ghi. Hãy tải tệp lên lại "
                         "hoặc báo cho quản trị hệ thống."):
        return
    services.upload_commit(upload_id=upload_id)


@shared_task(name="uploads.expire_work_files", acks_late=True, time_limit=600, soft_time_limit=570)
def upload_expire_work_task() -> int:
    """Daily: work files (with ID numbers in the clear) of uploads left uncommitted are deleted."""
    return services.upload_expire_work()


@shared_task(name="uploads.bulk_run", bind=True, acks_late=True, time_limit=1800, soft_time_limit=1740,
             **DATABASE_GONE)
def bulk_run_task(self, job_id: int) -> None:
    """A bulk upsert of the API (services/bulk.py); its transaction holds the whole job, so a worker killed
    mid-job leaves nothing written and the redelivered message starts it again, at most MAX_DELIVERIES times."""
    if _delivery(self) > MAX_DELIVERIES:
        logger.error("bulk job %s: task delivered more than %s times; marked failed", job_id, MAX_DELIVERIES)
        bulk_job_give_up(job_id=job_id, message=_("Việc chạy bị gián đoạn nhiều lần (máy chủ xử lý dừng giữa "
                                                  "chừng); không có gì được ghi. Hãy gửi lại yêu cầu."))
        return
    bulk_job_run(job_id=job_id)
