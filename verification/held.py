"""Held ID numbers: claims that another record already holds, settled by someone with the right.

A writer who may not learn that a number is taken (accounts/scope.py) has the claim written but
held (edu_portal/common/models.py). It lands here, before reviewers who may see full numbers and
whose scope covers both records: the province for two of its schools, the ministry otherwise.

    held_id_numbers(scope)                 reads: each held claim with the confirmed owner
    held_id_number_settle(scope, ...)      writes: who keeps the number; the other loses it
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import CONFIRMED
from students.models import Student
from teachers.models import StaffMember

from .models import VerificationStatus
from .services import identities_queue

MODELS = {"student": (Student, "pupil_code"), "staff": (StaffMember, "staff_code")}
KEEP = ("claim", "owner")


@dataclass(frozen=True)
class HeldClaim:
    kind: str
    claim: object   # the record whose number is held
    owner: object | None  # the record that holds it confirmed (None once it no longer does)


def _covers(scope: Scope, record) -> bool:
    return record is not None and scope.covers(school_id=record.school_id, province_id=record.school.province_id)


def _require_reviewer(scope: Scope) -> None:
    if not scope.can_view_id_numbers:
        raise PermissionDenied


def held_id_numbers(*, scope: Scope, limit: int = 500) -> list[HeldClaim]:
    """The held claims this reviewer may settle (both records in scope), oldest first."""
    _require_reviewer(scope)
    out = []
    for kind, (model, _code) in MODELS.items():
        claims = list(scope.filter(model.objects.exclude(id_number_hold=CONFIRMED).select_related("school"))
                      .order_by("updated_at")[:limit])
        owners = {o.id_number: o for o in model.objects.filter(
            id_number__in=[c.id_number for c in claims], id_number_hold=CONFIRMED).select_related("school")}
        for claim in claims:
            owner = owners.get(claim.id_number)
            if owner is None or _covers(scope, owner):
                out.append(HeldClaim(kind=kind, claim=claim, owner=owner))
    return out


def _lose_number(record) -> None:
    record.id_number, record.id_number_hold = None, CONFIRMED
    record.verification_status, record.verification_mismatch_fields = VerificationStatus.INVALID_ID, []
    record.updated_at = timezone.now()
    record.save(update_fields=["id_number", "id_number_hold", "verification_status",
                               "verification_mismatch_fields", "updated_at"])


@transaction.atomic
def held_id_number_settle(*, scope: Scope, kind: str, pk: int, keep: str) -> HeldClaim:
    """keep="owner": the claim was wrong, its record loses the number. keep="claim": the owner's
    number was wrong; it loses it, the claim is confirmed and verified again."""
    _require_reviewer(scope)
    if kind not in MODELS or keep not in KEEP:
        raise AppError(gettext("Yêu cầu không hợp lệ."), code="invalid")
    model, _code = MODELS[kind]
    claim = model.objects.select_for_update().select_related("school").filter(pk=pk).first()
    if claim is None or not _covers(scope, claim) or claim.id_number_hold == CONFIRMED:
        raise NotInScope()
    owner = (model.objects.select_for_update().select_related("school")
             .filter(id_number=claim.id_number, id_number_hold=CONFIRMED).first())
    if owner is not None and not _covers(scope, owner):
        raise NotInScope()
    if keep == "owner":
        _lose_number(claim)
    else:
        if owner is not None:
            _lose_number(owner)
        claim.id_number_hold = CONFIRMED
        claim.verification_status, claim.verification_mismatch_fields = VerificationStatus.QUEUED, []
        claim.updated_at = timezone.now()
        claim.save(update_fields=["id_number_hold", "verification_status", "verification_mismatch_fields",
                                  "updated_at"])
        identities_queue(kind=kind, ids=[claim.pk])
    return HeldClaim(kind=kind, claim=claim, owner=owner)
