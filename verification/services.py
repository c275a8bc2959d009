"""Writes on verification state. Queueing marks records and hands them to the workers after commit."""
from __future__ import annotations

from django.db import transaction

from edu_portal.common.identity import id_number_errors

from .models import VerificationStatus

IDENTITY_FIELDS = ("id_number", "full_name", "date_of_birth", "gender")


def identity_initial_status(*, id_number: str | None, date_of_birth, gender) -> str:
    """A record without a valid ID number is never sent to the registry (invalid_id)."""
    if not id_number or id_number_errors(id_number, date_of_birth=date_of_birth, gender=gender):
        return VerificationStatus.INVALID_ID
    return VerificationStatus.QUEUED


def identities_queue(*, kind: str, ids: list[int]) -> None:
    """Mark these records queued and ask the workers to verify them once the transaction commits.

    `kind` is "student" or "staff". Called by every service that creates a person or changes
    identity fields.
    """
    if not ids:
        return
    from .tasks import verify_records

    transaction.on_commit(lambda: verify_records.delay(kind, list(ids)))
