"""Bulk upsert (issue 20): POST /api/v1/bulk/<records>/ with NDJSON or CSV is answered at once with a job that a
real Celery worker runs through the upload's rules and set-based writes; per-record results by natural key."""
import csv
import io
import json
import time

import pytest
from django.test import Client

from api.services import api_profile_save, api_token_create
from audit.models import AuditEvent
from edu_portal.celery import app as celery_app
from schools.selectors import scope_parse
from students.models import Student
from teachers.models import StaffMember
from tests.factories import UserFactory
from tests.processes import thread_worker
from uploads.api import views
from uploads.models import BulkJob

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    return UserFactory(username="t_hanoi_bulk", role="province", province_id="01", may_view_id_numbers=True)


@pytest.fixture
def worker(transactional_db):
    with thread_worker():
        yield
    celery_app.control.purge()  # verification and statistics the writes queued: not for the next test


def token(user, scope="province:01", *, write=True, profile=None) -> str:
    return api_token_create(user=user, name="sis", scope=scope_parse(scope), can_write=write, profile=profile)[1]


def pupil(i: int, school, **overrides) -> dict:
    """A valid pupil: a girl born 2016 in Hà Nội, ID number 001316xxxxxx (its digits agree)."""
    row = {"school_code": school.code, "pupil_code": f"HSB{i:07d}", "id_number": f"001316{i:06d}",
           "full_name": f"Nguyễn Thị Bình {chr(65 + i % 26)}", "date_of_birth": "2016-03-15", "gender": "F",
           "grade": 3, "class_name": "3A"}
    row.update(overrides)
    return row


def ndjson(rows) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows).encode()


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


class Bulk:
    def __init__(self, secret: str):
        self.client, self.headers = Client(), {"Authorization": f"Token {secret}"}

    def post(self, body: bytes, *, records="students", kind="application/x-ndjson", mode=None, key=None):
        headers = dict(self.headers, **({"Idempotency-Key": key} if key else {}))
        url = f"/api/v1/bulk/{records}/" + (f"?mode={mode}" if mode else "")
        response = self.client.post(url, body, content_type=kind, headers=headers)
        return response.status_code, response.json()

    def get(self, url: str):
        response = self.client.get(url, headers=self.headers)
        return response.status_code, response.json()

    def wait(self, answer: dict, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, job = self.get(answer["url"])
            assert status == 200, job
            if job["status"] in ("done", "failed"):
                return job
            time.sleep(0.05)
        raise AssertionError("the job did not finish in time")

    def results(self, job: dict, **params) -> list[dict]:
        rows, url = [], job["results_url"] + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        while url:
            status, page = self.get(url)
            assert status == 200, page
            rows += page["results"]
            url = page["next"]
        return rows

    def run(self, body: bytes, **kwargs) -> tuple[dict, list[dict]]:
        status, answer = self.post(body, **kwargs)
        assert status == 202, answer
        job = self.wait(answer)
        return job, self.results(job)


def test_created_updated_unchanged_and_rejected_with_the_upload_rules(worker, officer, school_a):
    client = Bulk(token(officer))
    job, results = client.run(ndjson([pupil(i, school_a) for i in range(1, 6)]))
    assert job["status"] == "done" and job["counts"] == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5]
    ids, first = {r["key"]["pupil_code"]: r["id"] for r in results}, job["job"]
    assert ids == dict(Student.objects.filter(school=school_a).values_list("pupil_code", "pk"))
    assert results[0]["key"] == {"school_code": school_a.code, "pupil_code": "HSB0000001"}

    rows = [pupil(1, school_a, full_name="Nguyễn Thị Bình Mới"), pupil(2, school_a),
            pupil(3, school_a, date_of_birth="2016-02-30"), pupil(6, school_a, grade=13)]
    job, results = client.run(ndjson(rows), mode="per_record")
    assert job["counts"] == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 2}
    assert [r["outcome"] for r in results] == ["updated", "unchanged", "rejected", "rejected"]
    assert set(results[2]["errors"]) == {"date_of_birth"} and set(results[3]["errors"]) == {"grade"}
    assert results[3]["id"] is None
    assert Student.objects.get(pupil_code="HSB0000001").full_name == "Nguyễn Thị Bình Mới"
    assert client.results(job, outcome="rejected") == results[2:]
    # Written through the upload's path: new pupils are in the audit trail a batch to an event, under the token.
    events = AuditEvent.objects.filter(model="students.student", action="insert", record_ids__overlap=list(ids.values()))
    assert {pk for e in events for pk in e.record_ids} == set(ids.values())
    assert {(e.token_id, e.actor_id, e.door, e.actor) for e in events} == {
        (BulkJob.objects.get(pk=first).token_id, officer.pk, "upload", f"uploads.bulk_run#{first}")}

    # Atomic (the default): one record rejected and nothing is written.
    rows = [pupil(i, school_a) for i in range(11, 14)] + [pupil(14, school_a, gender="X")]
    job, results = client.run(ndjson(rows))
    assert job["status"] == "failed" and "atomic" in job["error"]
    assert job["counts"] == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [(r["line"], r["outcome"]) for r in results] == [(4, "rejected")]
    assert not Student.objects.filter(pupil_code__in=[r["pupil_code"] for r in rows]).exists()

    # Staff, by their natural key.
    member = {"school_code": school_a.code, "staff_code": "CBB0000001", "full_name": "Trần Văn Bình",
              "date_of_birth": "1985-09-02", "gender": "M", "position": "teacher", "qualification": "bachelor"}
    job, results = client.run(ndjson([member]), records="staff")
    assert job["counts"]["created"] == 1, results
    assert results[0]["key"] == {"school_code": school_a.code, "staff_code": "CBB0000001"}
    assert results[0]["id"] == StaffMember.objects.get(staff_code="CBB0000001").pk
    job, results = client.run(ndjson([member]), records="staff")
    assert job["counts"]["unchanged"] == 1


def test_malformed_lines_duplicates_and_other_scopes_are_rejected_records(worker, officer, school_a,
                                                                        school_other_province):
    client = Bulk(token(officer))
    body = ndjson([pupil(1, school_a), "{not json", "[1, 2]", pupil(1, school_a, full_name="Lại Thị Bình"),
                   pupil(2, school_a, id_number="001316000001"), pupil(3, school_other_province),
                   pupil(4, school_a, school_code="NOSUCH"), {"school_code": school_a.code, "colour": "red"}])
    job, results = client.run(body, mode="per_record")
    by_line = {r["line"]: r for r in results}
    assert job["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 7}
    assert by_line[1]["outcome"] == "created"
    assert by_line[2]["errors"] == {"__all__": ["Dòng không phải là JSON hợp lệ."]}
    assert by_line[3]["outcome"] == "rejected"
    assert by_line[4]["errors"]["pupil_code"] == ["'HSB0000001' trùng với dòng 1 của yêu cầu"]
    assert "trùng với dòng 1" in by_line[5]["errors"]["id_number"][0]
    assert "001316000001" not in json.dumps(results)  # no ID number echoed
    # Another province's school and one that does not exist: the same answer, nothing written there.
    assert by_line[6]["errors"] == by_line[7]["errors"] == {
        "school_code": ["Không có trường này trong phạm vi của mã truy cập."]}
    assert not Student.objects.filter(school=school_other_province).exists()
    assert "colour" in by_line[8]["errors"]["__all__"][0]


def test_csv_and_ndjson_give_the_same_results(worker, officer, school_a, school_b):
    client = Bulk(token(officer))
    rows = [pupil(i, school_a if i % 2 else school_b) for i in range(1, 7)] + [pupil(7, school_a, gender="X")]
    for row in rows:
        row["grade"] = str(row["grade"])
    first, first_results = client.run(ndjson(rows), mode="per_record")
    Student.objects.filter(pupil_code__startswith="HSB").delete()
    second, second_results = client.run(as_csv(rows), kind="text/csv", mode="per_record")
    assert first["counts"] == second["counts"] == {"created": 6, "updated": 0, "unchanged": 0, "rejected": 1}

    def shape(results):
        return [(r["key"], r["outcome"], r["errors"]) for r in results]

    assert shape(first_results) == shape(second_results)
    assert [r["line"] for r in second_results] == [r["line"] + 1 for r in first_results]  # CSV's header is line 1


def test_an_idempotency_key_replays_the_job_and_refuses_another_body(worker, officer, province_user, school_a):
    client = Bulk(token(officer))
    body = ndjson([pupil(1, school_a)])
    status, answer = client.post(body, key="nightly-2026-12-04")
    assert status == 202
    client.wait(answer)
    status, again = client.post(body, key="nightly-2026-12-04")
    assert status == 200 and again["job"] == answer["job"] and again["status"] == "done"
    assert Student.objects.filter(pupil_code="HSB0000001").count() == 1
    assert BulkJob.objects.count() == 1
    status, refused = client.post(ndjson([pupil(2, school_a)]), key="nightly-2026-12-04")
    assert status == 409 and refused["error"]["code"] == "idempotency_key_reused"
    # Another token's same key is its own.
    status, _ = Bulk(token(officer)).post(body, key="nightly-2026-12-04")
    assert status == 202

    # A job is seen by the token that sent it only.
    job = {"job": answer["job"]}
    other = Bulk(token(officer))
    assert other.get(f"/api/v1/bulk/jobs/{job['job']}/")[0] == 404
    assert other.get(f"/api/v1/bulk/jobs/{job['job']}/results/")[0] == 404
    # Its owner, logged in on the site, sees it; another user does not.
    browser = Client()
    browser.force_login(officer)
    assert browser.get(f"/api/v1/bulk/jobs/{job['job']}/").json()["counts"]["created"] == 1
    browser.force_login(province_user)
    assert browser.get(f"/api/v1/bulk/jobs/{job['job']}/").status_code == 404


@pytest.mark.django_db  # no worker: no need to commit
def test_refusals_before_any_job(officer, school_a, monkeypatch):
    rw = Bulk(token(officer))
    assert Bulk(token(officer, write=False)).post(ndjson([pupil(1, school_a)]))[0] == 403
    assert rw.post(b"")[0] == 400
    assert rw.post(b'{"a": 1}', kind="application/json")[0] == 400
    assert rw.post(b"x", records="results")[0] == 404
    assert rw.post(b"x", mode="sometimes")[0] == 400
    assert rw.post(b"pupil_code,colour\nA,red\n", kind="text/csv")[1]["error"]["code"] == "bad_header"
    status, body = rw.post(ndjson([pupil(1, school_a)]), key="k" * 101)
    assert status == 400
    monkeypatch.setattr(views, "MAX_BYTES", 10)  # the limit is patched on the module that reads it
    assert rw.post(ndjson([pupil(1, school_a)]))[0] == 413
    monkeypatch.undo()
    # A field outside the token's profile: the whole request refused, naming it.
    profile = api_profile_save(name="names", rules={"students": {"read": "*", "write": ["full_name"]}})
    status, body = Bulk(token(officer, profile=profile)).post(ndjson([pupil(1, school_a)]))
    assert status == 403 and body["error"]["code"] == "field_not_in_profile"
    assert set(body["error"]["details"]) == {"id_number", "date_of_birth", "gender", "grade", "class_name"}
    assert not BulkJob.objects.exists()


def test_without_the_right_to_numbers_a_number_taken_elsewhere_tells_nothing(worker, officer, school_a,
                                                                            school_other_province):
    # A pupil of another province holds the number; a Hà Nội client without the right may not type one at all,
    # and one with the right but not over that record gets the answer an unclaimed number gets (held).
    UserFactory(username="t_hcm_bulk", role="province", province_id="79", may_view_id_numbers=True)
    Bulk(token(UserFactory(username="t_min_bulk", role="ministry", may_view_id_numbers=True), "country")).run(
        ndjson([pupil(1, school_other_province)]))
    masked = UserFactory(username="t_hanoi_masked", role="province", province_id="01")
    job, results = Bulk(token(masked)).run(ndjson([pupil(2, school_a, id_number="001316000001")]))
    assert results[0]["outcome"] == "rejected" and set(results[0]["errors"]) == {"id_number"}
    job, unclaimed = Bulk(token(officer)).run(ndjson([pupil(3, school_a, id_number="001316000003")]))
    job, taken = Bulk(token(officer)).run(ndjson([pupil(4, school_a, id_number="001316000001")]))
    assert taken[0]["outcome"] == unclaimed[0]["outcome"] == "created"
    assert Student.objects.get(pupil_code="HSB0000004").id_number_hold != 0  # held for review



@pytest.mark.django_db  # no worker: no need to commit
def test_a_job_whose_worker_keeps_dying_ends_failed_with_nothing_written(officer, school_a):
    from django.core.cache import cache

    from uploads.tasks import MAX_DELIVERIES, bulk_run_task

    status, answer = Bulk(token(officer)).post(ndjson([pupil(1, school_a)]))
    assert status == 202
    # The broker has handed this message out MAX_DELIVERIES times already (each worker died running it).
    cache.set("uploads:deliveries:bulk-doomed:0", MAX_DELIVERIES, timeout=60)
    bulk_run_task.apply(args=[answer["job"]], task_id="bulk-doomed")
    job = BulkJob.objects.get(pk=answer["job"])
    assert job.status == "failed" and "gián đoạn" in job.error and job.finished_at is not None
    assert bytes(job.body) == b""  # the body (ID numbers in the clear) is not kept
    assert not Student.objects.filter(pupil_code="HSB0000001").exists()


def test_a_write_the_database_refuses_leaves_nothing_half_written(worker, officer, ministry_user, school_user,
                                                                 province_user, school_a, school_b):
    # School A's report is approved (issue 19): the database refuses writes to its pupils, whatever the door.
    import datetime as dt

    from django.utils import timezone

    from accounts.scope import Scope
    from edu_portal.common.models import current_school_year
    from reporting import services as reporting

    today = timezone.localdate()
    period = reporting.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(),
                                     kind="start", opens_on=today, closes_on=today,
                                     expires_on=today + dt.timedelta(days=9), domains=["enrollment", "staff"])
    reporting.submission_submit(scope=Scope.for_user(school_user), user=school_user, period_id=period.pk,
                                school_id=school_a.pk)
    reporting.submissions_approve(scope=Scope.for_user(province_user), user=province_user, period_id=period.pk,
                                  school_ids=[school_a.pk])
    client = Bulk(token(officer))
    rows = [pupil(1, school_b), pupil(2, school_a), pupil(3, school_b)]
    job, results = client.run(ndjson(rows))
    assert job["status"] == "failed" and school_a.code in job["error"]
    assert not Student.objects.filter(pupil_code__startswith="HSB").exists()  # school B's rows rolled back too
    job, results = client.run(ndjson(rows), mode="per_record")
    assert job["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert results[1]["outcome"] == "rejected" and school_a.code in results[1]["errors"]["__all__"][0]
    assert set(Student.objects.filter(pupil_code__startswith="HSB").values_list("school_id", flat=True)) == {school_b.pk}
