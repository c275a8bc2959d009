"""Services of verification against the real mock registry over HTTP (no worker needed: the
services are called directly, as a task would)."""
import json
import time

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from schools.selectors import scope_parse
from students import services as student_services
from students.models import Student
from tests import queued
from tests.factories import make_student, real_identity
from verification import services
from verification.models import EnrichmentCursor, RunStatus, VerificationRun, VerificationStatus
from verification.resilience import redis_client

from .conftest import bulk_pupils, known_identity

pytestmark = pytest.mark.integration


def planned(school) -> VerificationRun:
    run = services.run_start(scope=scope_parse(f"school:{school.code}"))
    assert services.run_plan(run_id=run.pk) is None
    return VerificationRun.objects.get(pk=run.pk)


def _pending(pk):
    return list(Student.objects.filter(pk=pk).values("pk", *services.IDENTITY_FIELDS, "verification_status",
                                                       "verification_checked_at"))


@pytest.mark.django_db
def test_batch_verify_answers_match_mismatch_not_found(registry, school_a):
    pupils = bulk_pupils(school_a, 12, mismatch_every=4, unknown_every=5)
    Student.objects.filter(pk__in=pupils["ids"]).update(verification_status=VerificationStatus.QUEUED)

    counts = services.batch_verify(kind="student", ids=pupils["ids"])

    assert counts == {"verified": len(pupils["match"]), "mismatch": len(pupils["mismatch"]),
                      "not_found": len(pupils["not_found"])}
    mismatch = Student.objects.get(pk=pupils["mismatch"][0])
    assert mismatch.verification_status == VerificationStatus.MISMATCH
    assert mismatch.verification_mismatch_fields == ["full_name"]
    verified = Student.objects.get(pk=pupils["match"][0])
    assert verified.verification_attempts == 1 and verified.verification_checked_at is not None
    # One registry call for the whole batch, not one per pupil.
    assert registry.stats()["verify_requests"] == 1


@pytest.mark.django_db
def test_batch_delivered_twice_changes_nothing(registry, school_a):
    pupils = bulk_pupils(school_a, 5)
    Student.objects.filter(pk__in=pupils["ids"]).update(verification_status=VerificationStatus.QUEUED)
    services.batch_verify(kind="student", ids=pupils["ids"])
    before = list(Student.objects.filter(pk__in=pupils["ids"]).order_by("pk")
                  .values_list("verification_status", "verification_checked_at", "verification_attempts"))

    assert services.batch_verify(kind="student", ids=pupils["ids"]) == {}

    after = list(Student.objects.filter(pk__in=pupils["ids"]).order_by("pk")
                 .values_list("verification_status", "verification_checked_at", "verification_attempts"))
    assert after == before
    assert registry.stats()["verify_requests"] == 1


@pytest.mark.django_db
def test_answer_for_data_changed_in_flight_is_discarded_and_record_requeued(registry, school_a):
    student = make_student(school_a)  # queued by student_create
    sent = _pending(student.pk)
    # The pupil's name is corrected while the registry is answering for the old one.
    student_services.student_update(scope=Scope.country(), student=student, full_name="Nguyễn Thị Mới Sửa")
    results = [{"index": 0, "result": "MATCH", "mismatched_fields": []}]

    counts = services.results_apply(kind="student", sent=sent, results=results)

    student.refresh_from_db()
    assert counts == {}
    assert student.verification_status == VerificationStatus.QUEUED
    assert student.full_name == "Nguyễn Thị Mới Sửa"
    inflight = [json.loads(v) for v in redis_client().hvals(services.INFLIGHT_KEY)]
    assert any(student.pk in entry["ids"] for entry in inflight)


@pytest.mark.django_db
def test_invalid_id_is_never_sent(registry, school_a):
    pupils = bulk_pupils(school_a, 2)
    Student.objects.filter(pk=pupils["ids"][0]).update(id_number="999123456789",
                                                        verification_status=VerificationStatus.QUEUED)
    counts = services.batch_verify(kind="student", ids=pupils["ids"][:1])
    assert counts == {"invalid_id": 1}
    assert registry.stats().get("verify_requests", 0) == 0


@pytest.mark.django_db
def test_number_of_a_birth_registered_abroad_is_sent_like_any_other(registry, school_a):
    # 175: Hoa Kỳ, a country code of Thông tư 07/2016/TT-BCA Phụ lục II (a birth registered at a consulate).
    student = make_student(school_a, **real_identity(serial=41, legacy="175"))
    assert student.id_number.startswith("175")
    assert student.verification_status == VerificationStatus.QUEUED

    counts = services.batch_verify(kind="student", ids=[student.pk])

    assert counts == {"verified": 1}
    assert Student.objects.get(pk=student.pk).verification_status == VerificationStatus.VERIFIED
    assert registry.stats()["verify_requests"] == 1


@pytest.mark.django_db
def test_run_start_scope_rules(school_a, school_other_province, province_user, school_user):
    hanoi = Scope.for_user(province_user)
    with pytest.raises(AppError):
        services.run_start(scope=Scope.country(), user_scope=hanoi)
    with pytest.raises(AppError):
        services.run_start(scope=scope_parse(f"school:{school_other_province.code}"), user_scope=hanoi)
    with pytest.raises(AppError):
        services.run_start(scope=scope_parse(f"school:{school_a.code}"), user_scope=Scope.for_user(school_user))
    run = services.run_start(scope=scope_parse(f"school:{school_a.code}"), user_scope=hanoi, started_by=province_user)
    assert run.province_id == "01" and run.school_id == school_a.pk and run.status == RunStatus.PLANNING
    with pytest.raises(AppError):  # one active run per scope
        services.run_start(scope=scope_parse(f"school:{school_a.code}"), user_scope=hanoi)


@pytest.mark.django_db
def test_run_plan_hands_out_batches_of_the_scope_only(registry, school_a, school_other_province):
    pupils = bulk_pupils(school_a, 120)
    bulk_pupils(school_other_province, 7)
    Student.objects.filter(pk=pupils["ids"][0]).update(verification_status=VerificationStatus.VERIFIED)
    Student.objects.filter(pk=pupils["ids"][1]).update(verification_status=VerificationStatus.INVALID_ID)
    run = services.run_start(scope=scope_parse("province:01"))

    assert services.run_plan(run_id=run.pk) is None
    run.refresh_from_db()

    assert (run.status, run.total, run.skipped_verified, run.skipped_invalid) == (RunStatus.RUNNING, 118, 1, 1)
    entries = [json.loads(v) for v in redis_client().hvals(services.INFLIGHT_KEY)]
    assert sorted(len(e["ids"]) for e in entries) == [18, 50, 50]  # batches, never one task per pupil
    assert {e["run"] for e in entries} == {run.pk}
    # A run does not rewrite its records; the batches find them by "not checked since the run began".
    assert Student.objects.filter(verification_status=VerificationStatus.QUEUED).count() == 0


@pytest.mark.django_db
def test_run_progress_and_finish(registry, school_a):
    from verification.selectors import run_progress

    pupils = bulk_pupils(school_a, 60, mismatch_every=6)
    run = planned(school_a)
    for raw_id, raw in redis_client().hgetall(services.INFLIGHT_KEY).items():
        entry = json.loads(raw)
        services.batch_verify(kind=entry["kind"], ids=entry["ids"], run_id=entry["run"])
        services.batch_done(raw_id.decode())

    # The last batch's end closed the run; reading the progress only reads it.
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    progress = run_progress(run=VerificationRun.objects.get(pk=run.pk))

    assert progress["run"].status == RunStatus.FINISHED
    assert progress["processed"] == progress["total"] == 60
    states = {s["status"]: s["count"] for s in progress["states"]}
    assert states["verified"] == len(pupils["match"]) and states["mismatch"] == len(pupils["mismatch"])
    assert progress["verified_share"] == round(100 * len(pupils["match"]) / 60, 1)


@pytest.mark.django_db
def test_cancelled_run_sends_nothing_more(registry, school_a):
    pupils = bulk_pupils(school_a, 10)
    run = planned(school_a)
    services.run_cancel(run=run, scope=Scope.country())

    counts = services.batch_verify(kind="student", ids=pupils["ids"], run_id=run.pk)

    assert counts == {"cancelled": 10}
    assert registry.stats().get("verify_requests", 0) == 0
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED


@pytest.mark.django_db
def test_sweep_requeues_old_errors_lost_batches_and_orphans(registry, school_a, settings):
    settings.VERIFICATION_ERROR_RETRY_AFTER = 60
    settings.VERIFICATION_STUCK_AFTER = 60
    pupils = bulk_pupils(school_a, 4)
    old, recent, lost, orphan = pupils["ids"]
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    Student.objects.filter(pk=old).update(verification_status="error", verification_checked_at=long_ago)
    Student.objects.filter(pk=recent).update(verification_status="error", verification_checked_at=timezone.now())
    Student.objects.filter(pk__in=[lost, orphan]).update(verification_status="queued")
    # A batch a dead worker had started an hour ago.
    redis_client().hset(services.INFLIGHT_KEY, "dead-task", json.dumps(
        {"kind": "student", "ids": [lost], "run": None, "at": time.time() - 3600, "started": time.time() - 3600}))

    report = services.verification_sweep()

    assert report["requeued_errors"] == 1 and report["lost_batches"] == 1 and report["requeued_lost"] == 1
    assert report["requeued_orphans"] == 2  # nothing else in flight: every queued record is handed out
    assert Student.objects.get(pk=old).verification_status == "queued"
    assert Student.objects.get(pk=recent).verification_status == "error"
    carried = {pk for v in redis_client().hvals(services.INFLIGHT_KEY) for pk in json.loads(v)["ids"]}
    assert {old, lost, orphan} <= carried


@pytest.mark.django_db
def test_enrichment_push_is_batched_resumable_and_idempotent(registry, school_a):
    pupils = bulk_pupils(school_a, 30, unknown_every=10)
    Student.objects.filter(pk__in=pupils["match"]).update(verification_status="verified")

    assert services.enrichment_push() == len(pupils["match"])
    assert registry.stats()["education_records"] == len(pupils["match"])
    assert services.enrichment_push() == 0  # the pass is complete; the next one starts a day later

    EnrichmentCursor.objects.update(pass_completed_at=timezone.now() - timezone.timedelta(days=2))
    assert services.enrichment_push() == len(pupils["match"])
    assert registry.stats()["education_records"] == len(pupils["match"])  # nothing stored twice
    stored = registry.http.get(f"/admin/education/{Student.objects.get(pk=pupils['match'][0]).id_number}").json()
    assert stored["school_years"] and list(stored["school_years"].values())[0]["school_code"] == school_a.code


@pytest.mark.django_db
def test_known_identity_helper_matches_registry(registry):
    # Guards the fixtures themselves: a "known" identity is one the mock registry confirms.
    from verification.registry_client import RegistryClient

    identity = known_identity()
    answer = RegistryClient().verify([{**identity, "date_of_birth": identity["date_of_birth"].isoformat()}])
    assert answer["results"][0]["result"] == "MATCH"


@pytest.mark.django_db
def test_answers_mark_the_school_statistics_stale_once(registry, school_a):
    pupils = bulk_pupils(school_a, 6)
    Student.objects.filter(pk__in=pupils["ids"]).update(verification_status=VerificationStatus.QUEUED)
    services.batch_verify(kind="student", ids=pupils["ids"][:3])
    services.batch_verify(kind="student", ids=pupils["ids"][3:])

    assert redis_client().smembers(services.DIRTY_SCHOOLS_KEY) == {str(school_a.pk).encode()}
    queued.clear()
    assert services.schools_changed_flush() == 1
    assert services.schools_changed_flush() == 0
    # Handed once to the dashboards' one refresh task, the same one every write of a school uses.
    assert queued.queued_tasks() == [("dashboards.refresh_schools", [[school_a.pk]], {})]
    queued.clear()


@pytest.mark.django_db
def test_run_plan_keeps_only_a_bounded_number_of_batches_in_the_broker(registry, school_a):
    bulk_pupils(school_a, 260)  # 6 batches of 50
    run = services.run_start(scope=scope_parse(f"school:{school_a.code}"))

    following = services.run_plan(run_id=run.pk, ahead=2)

    assert following is not None and services.run_inflight(run.pk) == 2
    # The workers finish those two; the next step hands out two more, and so on.
    for task_id in list(redis_client().hkeys(services.INFLIGHT_KEY)):
        services.batch_done(task_id.decode())
    assert services.run_inflight(run.pk) == 0
    while following:
        following = services.run_plan(run_id=run.pk, kind=following[0], after=following[1], ahead=2)
        for task_id in list(redis_client().hkeys(services.INFLIGHT_KEY)):
            services.batch_done(task_id.decode())
    run.refresh_from_db()
    # Every batch had ended when the last step handed out the rest: that step closed the run.
    assert (run.status, run.total) == (RunStatus.FINISHED, 260)


@pytest.mark.django_db
def test_only_one_planner_works_on_a_run_at_a_time(registry, school_a):
    bulk_pupils(school_a, 10)
    run = services.run_start(scope=scope_parse(f"school:{school_a.code}"))
    redis_client().set(f"verification:run:{run.pk}:planner", "another-planner", px=5000)

    assert services.run_plan(run_id=run.pk) is None

    assert services.run_inflight(run.pk) == 0
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.PLANNING


@pytest.mark.django_db
def test_reading_a_runs_progress_writes_nothing(registry, school_a):
    """The progress page polls every second: a read never closes a run, the workers do."""
    from verification.selectors import run_progress

    run = VerificationRun.objects.create(scope=f"school:{school_a.code}", school=school_a,
                                         status=RunStatus.RUNNING, total=0)

    progress = run_progress(run=VerificationRun.objects.get(pk=run.pk))

    assert progress["run"].status == RunStatus.RUNNING
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    services.verification_sweep()  # the beat's sweep closes a run with nothing left in flight
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.FINISHED


@pytest.mark.django_db
def test_a_name_typed_with_the_other_tone_placement_is_verified(registry, school_a):
    # The registry holds "… Thủy"; the school types "… THUỶ" (kiểu mới, in capitals): the same name.
    serial = 0
    while not (identity := real_identity(serial=serial))["full_name"].endswith(" Thủy"):
        serial += 1
    identity["full_name"] = identity["full_name"].removesuffix("Thủy").upper() + "THUỶ"
    pupil = student_services.student_create(scope=Scope.country(can_view_id_numbers=True), school=school_a,
                                            pupil_code="HS-THUY", grade=3, class_name="3A", **identity)

    services.batch_verify(kind="student", ids=[pupil.pk])

    pupil.refresh_from_db()
    assert pupil.verification_status == VerificationStatus.VERIFIED, pupil.verification_mismatch_fields
