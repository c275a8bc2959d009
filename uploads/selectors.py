"""Reads on uploads: who sees an upload is decided by its school (or province, for schools)."""
import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import mask_digits, mask_id_number

from .models import Upload


def _scoped(scope: Scope) -> QuerySet[Upload]:
    return scope.filter(Upload.objects.select_related("school", "uploaded_by"), province_field="province")


def upload_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[Upload]:
    from .filtersets import UploadFilterSet

    return UploadFilterSet(filters, queryset=_scoped(scope)).qs


def upload_get(*, scope: Scope, pk: int, for_update: bool = False) -> Upload:
    qs = _scoped(scope)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    upload = qs.filter(pk=pk).first()
    if upload is None:
        raise NotInScope()
    return upload


# --- what of an upload a user may see ----------------------------------------------------------
# An upload's original, its error file and its error table hold the ID numbers typed into it.
# Who may see full numbers sees them (downloads audited by the view); the uploader sees what
# they typed; anyone else in scope sees the upload with every number masked and gets no file.

def upload_files_visible(*, scope: Scope, user, upload: Upload) -> bool:
    return scope.can_view_id_numbers or upload.uploaded_by_id == getattr(user, "pk", None)


def upload_view(*, scope: Scope, user, pk: int) -> Upload:
    """The upload as this user may see it: errors and message masked where they may not see the
    numbers (the row is not saved; `files_visible` tells the template whether to link files)."""
    upload = upload_get(scope=scope, pk=pk)
    upload.files_visible = upload_files_visible(scope=scope, user=user, upload=upload)
    if not upload.files_visible:
        upload.message = mask_digits(upload.message)
        upload.errors = [_masked_error(e) for e in upload.errors]
    if not scope.can_view_id_numbers:
        # The old values come from the records: a number this user may not see in full is masked,
        # whoever uploaded the file.
        upload.changes = [{**c, "fields": [_masked_field(f) for f in c["fields"]]} for c in upload.changes]
    # Stored as ISO text (JSON); the page shows dates as dates. Nothing to mask: no number is ever stored there.
    upload.duplicate_warnings = [{**w, "matches": [{**m, "date_of_birth": dt.date.fromisoformat(m["date_of_birth"])}
                                                   for m in w["matches"]]} for w in upload.duplicate_warnings]
    return upload


def _masked_field(field: dict) -> dict:
    if field.get("field") != "id_number":
        return field
    return {**field, "old": mask_id_number(field["old"]) if field["old"] else "",
            "new": mask_id_number(field["new"]) if field["new"] else ""}


def _masked_error(error: dict) -> dict:
    return {**error, "value": mask_digits(str(error.get("value") or "")), "reason": mask_digits(error.get("reason")),
            "message": mask_digits(error.get("message"))}


def upload_file_get(*, scope: Scope, user, pk: int) -> Upload:
    """An upload whose files this user may download; anyone else in scope is refused."""
    upload = upload_get(scope=scope, pk=pk)
    if not upload_files_visible(scope=scope, user=user, upload=upload):
        raise AppError(gettext("Tệp tải lên chứa số định danh đầy đủ; chỉ người tải lên và người được xem đầy đủ số định "
                       "danh mới tải được."), code="id_numbers_not_allowed", status_code=403)
    return upload
