"""Reads on verification: runs and their live progress, and the records that failed."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.identity import mask_digits, verification_failure_reason
from edu_portal.common.names import vietnamese_order

from . import services
from .models import RunStatus, VerificationRun, VerificationStatus

FAILED_STATES = (VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND, VerificationStatus.INVALID_ID,
                 VerificationStatus.ERROR)


def run_list(*, scope: Scope) -> QuerySet[VerificationRun]:
    return scope.filter(VerificationRun.objects.select_related("started_by"), province_field="province")


def run_get(*, scope: Scope, pk: int) -> VerificationRun:
    run = run_list(scope=scope).filter(pk=pk).first()
    if run is None:
        raise NotInScope()
    return run


def run_progress(*, run: VerificationRun) -> dict:
    """Counts per state, share done, rate (records/s) and estimated time left, from the workers'
    counters in Redis while the run is active and from the saved counts afterwards.

    Only reads: the worker that ends a run's last batch closes the run (services.batch_done)."""
    live = services.run_live_counts(run.pk) if run.is_active else dict(run.counts or {})
    processed = sum(live.values())
    total = max(run.total, processed)
    end = run.finished_at or timezone.now()
    elapsed = max((end - run.created_at).total_seconds(), 0.001)
    rate = processed / elapsed if processed else 0.0
    remaining = max(total - processed, 0) if run.is_active else 0
    eta = remaining / rate if rate and remaining else None
    states = []
    for status in (*services.FINAL_STATES, "cancelled"):
        n = live.get(str(status), 0)
        label = VerificationStatus(status).label if status != "cancelled" else _("Đã hủy, chưa kiểm tra")
        if n or status in (VerificationStatus.VERIFIED, VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND):
            states.append({"status": str(status), "label": label, "count": n,
                           "percent": round(100 * n / total, 1) if total else 0})
    in_scope = total + run.skipped_verified + run.skipped_invalid
    verified_all = live.get(VerificationStatus.VERIFIED, 0) + run.skipped_verified
    return {
        "run": run, "total": total, "processed": processed, "remaining": remaining,
        "percent": round(100 * processed / total, 1) if total else (100.0 if not run.is_active else 0.0),
        "states": states, "rate": round(rate, 1), "eta_seconds": round(eta) if eta is not None else None,
        "elapsed_seconds": round(elapsed), "in_scope": in_scope,
        # Before the planner has counted the scope the total is not known (not zero): no "0 / 0".
        "preparing": run.status == RunStatus.PLANNING and not total,
        "verified_share": round(100 * verified_all / in_scope, 1) if in_scope else None,
    }


def failed_records(*, scope: Scope, kind: str, status: str | None = None) -> QuerySet:
    """Pupils or staff in scope whose verification failed (or could not be done yet)."""
    model = services.model_for(kind)
    states = [status] if status in FAILED_STATES else list(FAILED_STATES)
    return (scope.filter(model.objects.filter(verification_status__in=states), school_field="school")
            .select_related("school").order_by("school__name", *vietnamese_order(), "pk"))


def failure_reason(person) -> str:
    """Why this record failed, and what to do about it, in plain Vietnamese (one text for this page
    and the school's to-do list: edu_portal.common.identity)."""
    return verification_failure_reason(person)


# The live state block of a pupil's or staff member's page polls while the record waits for the
# registry's answer (queued), slowly while the registry is down (error: retried on its own), and not
# at all once the state is final or the record was never sent (unverified: a run sends it).
POLL_SECONDS = {VerificationStatus.QUEUED: 2, VerificationStatus.ERROR: 15}
# A check that failed on the record (the school must fix it) is red; the registry not answering (retried on
# its own) is yellow.
ALERTS = {VerificationStatus.MISMATCH: "danger", VerificationStatus.NOT_FOUND: "danger",
          VerificationStatus.INVALID_ID: "danger", VerificationStatus.ERROR: "warning"}


def identity_state(*, scope: Scope, kind: str, pk: int) -> dict:
    """A person's verification state for the block on their page (and its htmx refresh): the status,
    the reason in words, and how often to ask again. Read through the scope (a record outside it is
    not found); the ID number itself is never part of it, and digits a reason quotes are masked for a
    scope that may not see ID numbers."""
    if kind not in services.KINDS:
        raise NotInScope()
    model = services.model_for(kind)
    person = (scope.filter(model.objects.all()).filter(pk=pk)
              .only("pk", "school_id", "id_number", "date_of_birth", "gender", "verification_status",
                    "verification_mismatch_fields", "verification_checked_at").first())
    if person is None:
        raise NotInScope()
    return identity_state_of(person=person, kind=kind, scope=scope)


def identity_state_of(*, person, kind: str, scope: Scope) -> dict:
    """identity_state for a record already read through the scope (the page that shows it)."""
    reason = verification_failure_reason(person)
    return {"kind": kind, "pk": person.pk, "person": person, "status": person.verification_status,
            "checking": person.verification_status == VerificationStatus.QUEUED,
            "reason": reason if scope.can_view_id_numbers else mask_digits(reason),
            "checked_at": person.verification_checked_at,
            "poll_seconds": POLL_SECONDS.get(person.verification_status),
            # The page leads with a failure (the school has something to fix), as an alert of this colour.
            "alert": ALERTS.get(person.verification_status, "")}
