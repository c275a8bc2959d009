"""Fault tests: a real Celery worker, real Redis and the mock registry over HTTP, with the
registry's faults turned up. Record counts are small and latency is 10 ms to keep them short."""
import time

import pytest

from accounts.scope import Scope
from schools.selectors import scope_parse
from students import services as student_services
from students.models import Student
from tests.factories import make_student
from verification import services
from verification.models import RunStatus, VerificationRun, VerificationStatus
from verification.selectors import run_progress

from .conftest import all_final, bulk_pupils, statuses, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_run(school) -> VerificationRun:
    # The worker runs the planner task that run_start enqueues once its transaction commits.
    return services.run_start(scope=scope_parse(f"school:{school.code}"))


def finished(run) -> VerificationRun | None:
    run = run_progress(run=VerificationRun.objects.get(pk=run.pk))["run"]
    return run if not run.is_active else None


def test_run_completes_and_mismatch_names_the_fields(worker, registry, school_a):
    pupils = bulk_pupils(school_a, 60, mismatch_every=7, unknown_every=11)
    run = start_run(school_a)

    run = wait_until(lambda: finished(run), timeout=30, message="run to finish")

    assert run.status == RunStatus.FINISHED
    assert statuses(pupils["match"]) == {"verified": len(pupils["match"])}
    assert statuses(pupils["not_found"]) == {"not_found": len(pupils["not_found"])}
    for pk in pupils["mismatch"]:
        pupil = Student.objects.get(pk=pk)
        assert pupil.verification_status == VerificationStatus.MISMATCH
        assert pupil.verification_mismatch_fields == ["full_name"]
    assert run.counts == {"verified": len(pupils["match"]), "mismatch": len(pupils["mismatch"]),
                          "not_found": len(pupils["not_found"])}
    assert registry.stats()["verify_requests"] == 2  # 60 pupils in batches of 50


def test_thirty_percent_5xx_run_still_completes(worker, registry, school_a, settings):
    settings.VERIFICATION_BATCH_SIZE = 6  # 25 calls: the chance that none fails is 0.7^25, about 1e-4
    registry.set(error_rate=0.3)
    pupils = bulk_pupils(school_a, 150, mismatch_every=10)
    run = start_run(school_a)

    run = wait_until(lambda: finished(run), timeout=60, message="run to finish")

    assert all_final(pupils["ids"])
    assert registry.stats().get("server_errors", 0) > 0
    # Nobody is verified without a MATCH: the planted mismatches never are.
    assert "verified" not in statuses(pupils["mismatch"])
    assert sum(run.counts.values()) == 150


def test_rate_limited_registry_workers_back_off_and_finish(worker, registry, school_a):
    registry.set(rate_limit_per_s=1, rate_limit_burst=1)
    pupils = bulk_pupils(school_a, 150)
    run = start_run(school_a)

    run = wait_until(lambda: finished(run), timeout=60, message="run to finish")

    stats = registry.stats()
    assert stats.get("rate_limited", 0) > 0
    # 429s are waits, not failures: every pupil is verified in the end, none left in error.
    assert statuses(pupils["ids"]) == {"verified": 150}
    assert run.counts == {"verified": 150}


def test_registry_down_records_error_without_storm_then_sweep_finishes(worker, registry, school_a, settings):
    settings.VERIFICATION_MAX_FAILURES = 6
    registry.set(down=True)
    pupils = bulk_pupils(school_a, 200)  # 4 batches
    started = time.monotonic()
    run = start_run(school_a)

    wait_until(lambda: finished(run), timeout=30, message="run to give up")

    elapsed = time.monotonic() - started
    assert statuses(pupils["ids"]) == {"error": 200}
    # Without the breaker, 4 batches x 6 attempts = 24 calls. With it: 3 failures open it, then
    # one probe per cool-down period (1 s) while it stays down.
    calls = registry.calls()
    assert calls <= 3 + int(elapsed / settings.VERIFICATION_BREAKER_COOLDOWN) + 1
    assert calls < 24 / 2
    error = Student.objects.get(pk=pupils["ids"][0])
    assert error.verification_error and error.verification_attempts == 1

    registry.set(down=False)
    settings.VERIFICATION_ERROR_RETRY_AFTER = 0
    report = services.verification_sweep()

    assert report["requeued_errors"] == 200
    wait_until(lambda: statuses(pupils["ids"]) == {"verified": 200}, timeout=30, message="sweep to finish")


def test_record_edited_in_flight_is_not_verified_on_old_data(worker, registry, school_a):
    registry.set(latency_ms=1500)
    student = make_student(school_a)  # queued and handed to the worker on commit
    wait_until(lambda: registry.stats().get("in_flight", 0) >= 1, timeout=10, message="the check to be in flight")

    student_services.student_update(scope=Scope.country(), student=student, full_name="Phạm Thị Đã Sửa")
    registry.set(latency_ms=10)

    wait_until(lambda: Student.objects.get(pk=student.pk).verification_status != "queued", timeout=20,
               message="re-verification")
    time.sleep(0.3)  # let any duplicate batch land, to see that it changes nothing
    student.refresh_from_db()
    # The registry said MATCH for the old name; the stored name is new and does not match.
    assert student.verification_status == VerificationStatus.MISMATCH
    assert student.verification_mismatch_fields == ["full_name"]
    assert registry.stats()["verify_requests"] >= 2


def test_new_pupil_is_verified_automatically(worker, registry, school_a):
    student = make_student(school_a)
    wait_until(lambda: Student.objects.get(pk=student.pk).verification_status == "verified", timeout=10,
               message="automatic verification")


def test_verify_command_waits_for_the_run(worker, registry, school_a, capsys):
    from django.core.management import call_command

    pupils = bulk_pupils(school_a, 30, mismatch_every=10)
    call_command("verify", "--scope", f"school:{school_a.code}", "--wait")

    out = capsys.readouterr().out
    assert "finished: 30 records checked" in out
    assert statuses(pupils["ids"]) == {"verified": 27, "mismatch": 3}


def test_number_added_later_is_verified_automatically(worker, registry, school_a):
    """Intake without an ID number (issue 16): the pupil waits as invalid_id with a reason; the number
    added later sends the record to the registry with no one starting a run."""
    from tests.factories import real_identity

    identity = real_identity(serial=88_000)
    number = identity.pop("id_number")
    student = make_student(school_a, id_number=None, id_number_missing_reason="not_issued", **identity)
    assert student.verification_status == VerificationStatus.INVALID_ID
    student_services.student_update(scope=Scope.country(can_view_id_numbers=True), student=student,
                                    id_number=number)
    wait_until(lambda: Student.objects.get(pk=student.pk).verification_status == "verified", timeout=15,
               message="verification of the number added")
    assert Student.objects.get(pk=student.pk).id_number_missing_reason == ""
