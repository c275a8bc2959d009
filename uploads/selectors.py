"""Reads on uploads: who sees an upload is decided by its school (or province, for schools)."""
from django.db.models import QuerySet

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import NotInScope

from .models import Upload


def _scoped(scope: Scope) -> QuerySet[Upload]:
    qs = Upload.objects.select_related("school", "uploaded_by")
    if scope.kind == COUNTRY:
        return qs
    if scope.kind == PROVINCE:
        return qs.filter(province_id=scope.province_code)
    return qs.filter(school_id=scope.school_id)


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
