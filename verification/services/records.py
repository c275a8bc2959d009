"""The records verification works on: the kinds of person, their models, the statuses a check ends in."""
from __future__ import annotations

from students.models import Student
from teachers.models import StaffMember

from ..models import VerificationStatus

KINDS = ("student", "staff")
FINAL_STATES = (VerificationStatus.VERIFIED, VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND,
                VerificationStatus.INVALID_ID, VerificationStatus.ERROR)
RESULT_STATUS = {"MATCH": VerificationStatus.VERIFIED, "MISMATCH": VerificationStatus.MISMATCH,
                 "NOT_FOUND": VerificationStatus.NOT_FOUND}


def model_for(kind: str):
    if kind == "student":
        return Student
    if kind == "staff":
        return StaffMember
    raise ValueError(f"unknown kind {kind!r}")


def eligible(qs, *, include_verified: bool):
    excluded = [VerificationStatus.INVALID_ID] + ([] if include_verified else [VerificationStatus.VERIFIED])
    return qs.exclude(verification_status__in=excluded)
