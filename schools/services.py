"""Writes on schools. Every write validates in full and runs in one transaction."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.events import events_emit, record_event
from edu_portal.common.exceptions import AppError, NotInScope, full_clean_or_raise
from edu_portal.common.identity import normalize_name
from edu_portal.common.queue import enqueue_on_commit
from edu_portal.common.tombstones import RecordKind, tombstone_create

from .models import School, SchoolStatus

EDITABLE_FIELDS = ("name", "level", "ownership", "province_id", "commune_id", "address", "status",
                   "merged_into_id")


def school_edit_check(*, scope: Scope) -> None:
    """A school's master record (name, level, ownership, commune, address, status) is kept by the
    province's Department of Education or the ministry, never by the school itself: its level, for
    one, decides which grades its pupils may be enrolled in (Điều lệ trường tiểu học/trung học),
    so a school that could change it could relax the rules its own data is checked against.
    Checked here, in the services, so that every door (pages, API, tokens, uploads) obeys it."""
    if scope.kind not in (COUNTRY, PROVINCE):
        raise AppError(gettext("Chỉ Sở Giáo dục và Đào tạo hoặc Bộ Giáo dục và Đào tạo được thêm hoặc sửa thông tin "
                       "của trường."), code="permission_denied", status_code=403)


def _announce(school: School, action: str, *, changed: list[str] | None = None) -> None:
    """Client systems subscribed to schools' changes hear of it (webhooks: by signal, in this transaction)."""
    events_emit([record_event("school", action, record_id=school.pk, key=school.code, school_id=school.pk,
                              school_code=school.code, province_id=school.province_id, changed=changed)])


@transaction.atomic
def school_create(*, scope: Scope, code: str, name: str, level: str, ownership: str, province_id: str,
                  commune_id: str, address: str = "", status: str = SchoolStatus.OPEN,
                  merged_into_id: int | None = None, last_synced_at: dt.datetime | None = None) -> School:
    school_edit_check(scope=scope)
    if scope.kind != "country" and not scope.contains_province(province_id):
        raise NotInScope(gettext("Bạn chỉ có thể tạo trường trong tỉnh/thành phố của mình."))
    if School.objects.filter(code=code.strip()).exists():
        raise AppError(gettext("Mã trường '%(code)s' đã tồn tại.") % {"code": code}, details={"code": ["Mã trường đã tồn tại."]})
    school = School(code=code.strip(), name=normalize_name(name), level=level, ownership=ownership,
                    province_id=province_id, commune_id=commune_id, address=normalize_name(address),
                    status=status, merged_into_id=merged_into_id, last_synced_at=last_synced_at)
    full_clean_or_raise(school)
    school.save()
    _announce(school, "created")
    return school


@transaction.atomic
def school_update(*, scope: Scope, school: School, **changes) -> School:
    if not scope.contains_school(school):
        raise NotInScope()
    school_edit_check(scope=scope)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise AppError(gettext("Không thể sửa trường thông tin: %(join)s.") % {"join": ', '.join(sorted(unknown))})
    for field, value in changes.items():
        setattr(school, field, normalize_name(value) if field in ("name", "address") else value)
    if not scope.contains_school(school):
        raise NotInScope(gettext("Không thể chuyển trường ra ngoài phạm vi của bạn."))
    school.updated_at = timezone.now()
    full_clean_or_raise(school)
    school.save()
    _statistics_refresh(school.pk)
    _announce(school, "updated", changed=list(changes))
    return school


def _statistics_refresh(school_id: int) -> None:
    # The statistics copy the school's area, level, ownership and status into every school year's row;
    # the 15-minute refresh recomputes only the current year's (dashboards.services).
    enqueue_on_commit("dashboards.refresh_schools", [school_id])


@transaction.atomic
def school_delete(*, scope: Scope, school: School) -> None:
    """Only a school with no pupils, staff or users left can be deleted (a closed school keeps its row
    with status 'closed'); entered by mistake, in short. Like any edit of a school's master record,
    only the province or the ministry may do it. The tombstone tells clients syncing with
    `updated_since`, whichever door (API, Django admin) deleted it."""
    if not scope.contains_school(school):
        raise NotInScope()
    school_edit_check(scope=scope)
    tombstone_create(kind=RecordKind.SCHOOL, record_id=school.pk, code=school.code, school_id=school.pk,
                     province_id=school.province_id, school_code=school.code)
    pk = school.pk  # delete() forgets it
    try:
        with transaction.atomic():  # a savepoint: the refusal below leaves the outer transaction usable
            _announce(school, "deleted")  # undone with the savepoint if the school cannot go
            school.delete()
        _statistics_refresh(pk)
    except ProtectedError as exc:
        raise AppError(gettext("Không thể xoá trường còn học sinh, cán bộ hoặc tài khoản; hãy chuyển trạng thái "
                       "sang 'Đã đóng cửa'."), code="protected", status_code=409) from exc


def school_mark_synchronized(*, school_id: int, at: dt.datetime | None = None) -> None:
    """Record that a school's data arrived (upload, API write): it counts as connected for 30 days."""
    School.objects.filter(pk=school_id).update(last_synced_at=at or timezone.now())
