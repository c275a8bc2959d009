"""The user's answer to the questions a file raised (uploads never guess, issue 16): stored on the upload, and
the file checked again with it, so the rows staged and committed are read the way the user chose."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing.dates import ORDERS
from edu_portal.common.queue import enqueue_on_commit

from ..models import Upload, UploadStatus
from ..selectors import upload_get


@transaction.atomic
def upload_answer(*, user, upload_id: int, date_orders: dict[str, str], enqueue: bool = True) -> Upload:
    """`date_orders` answers every question: {column key: 'dmy' | 'mdy'}."""
    upload = upload_get(scope=Scope.for_user(user), pk=upload_id, for_update=True)
    if upload.status != UploadStatus.QUESTION:
        raise AppError(gettext("Tệp này không có câu hỏi nào cần trả lời."), code="no_question", status_code=409)
    asked = {q["column"]: q["header"] for q in upload.questions}
    missing = [header for key, header in asked.items() if date_orders.get(key) not in ORDERS]
    if missing:
        raise AppError("Hãy chọn cách đọc ngày cho cột: " + ", ".join(missing) + ".", code="answer_required",
                       details={key: ["Chọn ngày/tháng/năm hoặc tháng/ngày/năm."] for key in asked
                                if date_orders.get(key) not in ORDERS})
    upload.date_orders = {**(upload.date_orders or {}), **{key: date_orders[key] for key in asked}}
    upload.status, upload.progress, upload.message = UploadStatus.PENDING, 0, ""
    upload.save(update_fields=["date_orders", "status", "progress", "message"])
    if enqueue:
        enqueue_on_commit("uploads.tasks.upload_validate_task", upload.pk)
    return upload
