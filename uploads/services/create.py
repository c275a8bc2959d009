"""Receiving a file: the limits, then the original kept and its validation queued."""
from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit

from ..models import Upload
from ..registry import importer_for, kinds_for
from .validate import MAX_ROWS

MAX_BYTES = getattr(settings, "UPLOADS_MAX_BYTES", 50 * 1024 * 1024)
EXTENSIONS = (".csv", ".txt", ".xlsx")


def limits_text() -> str:
    # In the reader's language, with its thousands separator (200.000 / 200,000).
    return gettext("Tệp CSV (UTF-8) hoặc Excel (.xlsx), tối đa %(mb)s MB và %(rows)s dòng dữ liệu.") % {
        "mb": MAX_BYTES // (1024 * 1024), "rows": number_format(MAX_ROWS, force_grouping=True)}


# --- create ---------------------------------------------------------------------------------

@transaction.atomic
def upload_create(*, user, kind: str, file, school=None, enqueue: bool = True) -> Upload:
    """Keep the original file and queue its validation. School users upload for their school;
    province and ministry users choose a school in their scope (or upload schools)."""
    scope = Scope.for_user(user)
    if kind not in kinds_for(scope):
        raise AppError(gettext("Bạn không được tải lên loại dữ liệu này."), code="kind_not_allowed", status_code=403)
    importer = importer_for(kind)
    province_id = None
    if importer.rows_name_school and scope.kind == SCHOOL:
        school = user.school
    if importer.needs_school or (importer.rows_name_school and school is not None):
        if scope.kind == SCHOOL:
            school = user.school
        if school is None:
            raise AppError(gettext("Hãy chọn trường của dữ liệu tải lên."), details={"school": ["Bắt buộc."]})
        if not scope.contains_school(school):
            raise NotInScope(gettext("Trường này không thuộc phạm vi của bạn."))
        province_id = school.province_id
    else:
        school = None
        province_id = scope.province_code if scope.kind != "country" else None
    name = os.path.basename(getattr(file, "name", "") or "tep")[:200]
    if not name.lower().endswith(EXTENSIONS):
        raise AppError(gettext("Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx)."), code="bad_extension",
                       details={"file": [limits_text()]})
    size = file.size
    if size > MAX_BYTES:
        raise AppError(f"Tệp lớn {size / 1024 / 1024:.1f} MB, vượt giới hạn {MAX_BYTES // (1024 * 1024)} MB. "
                       "Hãy chia thành nhiều tệp nhỏ hơn.", code="too_big", details={"file": [limits_text()]})
    if size == 0:
        raise AppError(gettext("Tệp trống."), code="empty_file")
    upload = Upload(kind=kind, school=school, province_id=province_id, school_year=current_school_year(),
                    uploaded_by=user, file_name=name, file_size=size)
    upload.file.save(name, file, save=False)
    upload.save()
    if enqueue:
        enqueue_on_commit("uploads.tasks.upload_validate_task", upload.pk)
    return upload
