"""Merging two records of one pupil (students.duplicates.student_merge): nothing is lost, the key
change reaches API clients, and a merge can be undone within MERGE_UNDO_HOURS."""
import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.scope import PROVINCE, Scope
from api.services import api_token_create
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import mask_id_number
from edu_portal.common.models import current_school_year
from edu_portal.common.tombstones import DeletedRecord
from students.duplicates import duplicate_dismiss, duplicates_scan_country, student_merge, student_merge_undo
from students.models import AcademicResult, DuplicateCandidate, DuplicateStatus, Enrollment, PhysicalRecord, Student
from students.services import physical_record_add
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db
DOB = dt.date(2015, 3, 7)
YEAR = current_school_year()


def twins(school_a, school_b, **extra_b):
    keep = make_student(school_a, full_name="Nguyễn Thị Thúy", date_of_birth=DOB, gender="F", id_number=None)
    remove = make_student(school_b, **{"full_name": "Nguyen Thi Thuy", "date_of_birth": DOB, "gender": "F",
                                       "id_number": None, "birth_province_id": "01", **extra_b})
    return keep, remove


def result(pupil, year, term, rating="hoan_thanh"):
    return AcademicResult.objects.create(student=pupil, school=pupil.school, school_year=year, term=term,
                                         learning_rating=rating, conduct_rating="tot")


def test_merge_keeps_every_row_and_resolves_clashes(school_a, school_b, ministry_user):
    keep, remove = twins(school_a, school_b)
    Enrollment.objects.create(student=remove, school=school_b, school_year=YEAR - 1, grade=2, class_name="2A")
    kept_result = result(keep, YEAR - 1, 2, "hoan_thanh_tot")
    result(remove, YEAR - 1, 2)                        # clashes: keep's stays
    moved_result = result(remove, YEAR - 1, 1)
    country = Scope.country()
    physical_record_add(scope=country, student=keep, measured_on=dt.date(YEAR, 10, 1),
                        height_cm=Decimal("120"), weight_kg=Decimal("22"))
    physical_record_add(scope=country, student=remove, measured_on=dt.date(YEAR, 10, 1),
                        height_cm=Decimal("121"), weight_kg=Decimal("23"))
    moved_measure = physical_record_add(scope=country, student=remove, measured_on=dt.date(YEAR, 9, 15),
                                        height_cm=Decimal("119"), weight_kg=Decimal("22"))

    pair = student_merge(scope=country, user=ministry_user, keep=keep, remove=remove)

    assert not Student.objects.filter(pk=remove.pk).exists()
    keep.refresh_from_db()
    assert keep.full_name == "Nguyễn Thị Thúy" and keep.birth_province_id == "01"  # blank filled
    enrollments = Enrollment.objects.filter(student=keep)
    assert enrollments.count() == 3                      # two this year (one closed) and last year's
    open_now = enrollments.filter(school_year=YEAR).exclude(status="transferred_out")
    assert open_now.count() == 1 and keep.school_id == open_now.get().school_id
    assert "gộp vào" in enrollments.get(school_year=YEAR, status="transferred_out").leave_reason
    assert set(AcademicResult.objects.filter(student=keep).values_list("pk", flat=True)) == {
        kept_result.pk, moved_result.pk}
    assert AcademicResult.objects.get(student=keep, term=2).learning_rating == "hoan_thanh_tot"
    assert PhysicalRecord.objects.filter(student=keep).count() == 2
    assert PhysicalRecord.objects.get(pk=moved_measure.pk).student_id == keep.pk
    tombstone = DeletedRecord.objects.get(record_id=remove.pk)
    assert tombstone.code == remove.pupil_code and keep.pupil_code in tombstone.reason
    assert pair.status == DuplicateStatus.MERGED
    assert (pair.removed_code, pair.kept_code) == (remove.pupil_code, keep.pupil_code)


def test_api_client_following_updated_since_sees_the_key_change(school_a, school_b, ministry_user):
    keep, remove = twins(school_a, school_b)
    since = timezone.now().isoformat()
    student_merge(scope=Scope.country(), user=ministry_user, keep=keep, remove=remove)
    secret = api_token_create(user=UserFactory(role="ministry"), name="sync", scope=Scope.country())[1]
    client = Client(headers={"Authorization": f"Token {secret}"})
    merged = client.get("/api/v1/students/merged/", {"updated_since": since})
    assert merged.status_code == 200, merged.content
    assert [(r["old_code"], r["new_code"], r["new_id"]) for r in merged.json()["results"]] == [
        (remove.pupil_code, keep.pupil_code, keep.pk)]
    deleted = client.get("/api/v1/students/deleted/", {"updated_since": since}).json()["results"]
    assert [(r["code"], keep.pupil_code in r["reason"]) for r in deleted] == [(remove.pupil_code, True)]


def test_undo_restores_the_removed_pupil_and_its_rows(school_a, school_b, ministry_user, settings):
    keep, remove = twins(school_a, school_b)
    moved = result(remove, YEAR - 1, 1)
    dropped = result(remove, YEAR - 1, 2)
    result(keep, YEAR - 1, 2)
    pair = student_merge(scope=Scope.country(), user=ministry_user, keep=keep, remove=remove)
    restored = student_merge_undo(scope=Scope.country(), user=ministry_user, candidate_id=pair.pk)
    assert (restored.pk, restored.pupil_code, restored.school_id) == (remove.pk, remove.pupil_code, school_b.pk)
    assert set(AcademicResult.objects.filter(student=restored).values_list("pk", flat=True)) == {moved.pk, dropped.pk}
    assert Enrollment.objects.get(student=restored).status == "studying"
    assert Enrollment.objects.get(student=keep).status == "studying"
    keep.refresh_from_db()
    assert keep.birth_province_id is None and keep.school_id == school_a.pk
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN

    pair = student_merge(scope=Scope.country(), user=ministry_user, keep=keep, remove=restored)
    DuplicateCandidate.objects.filter(pk=pair.pk).update(
        decided_at=timezone.now() - dt.timedelta(hours=settings.MERGE_UNDO_HOURS + 1))
    with pytest.raises(AppError) as late:
        student_merge_undo(scope=Scope.country(), user=ministry_user, candidate_id=pair.pk)
    assert late.value.code == "undo_expired"


def test_only_a_province_the_pair_touches_decides(school_a, school_b, school_other_province, province_user_y):
    keep, remove = twins(school_a, school_b)
    hcm = Scope(PROVINCE, province_code="79")
    with pytest.raises(NotInScope):
        student_merge(scope=hcm, user=province_user_y, keep=keep, remove=remove)
    with pytest.raises(NotInScope):
        student_merge(scope=Scope.for_user(UserFactory(role="school", school=school_a)), user=None,
                      keep=keep, remove=remove)
    assert Student.objects.filter(pk=remove.pk).exists()


def test_dismissed_pair_stays_dismissed(school_a, school_other_province, province_user):
    twins(school_a, school_other_province)
    duplicates_scan_country()
    pair = DuplicateCandidate.objects.get()
    duplicate_dismiss(scope=Scope.for_user(province_user), user=province_user, candidate_id=pair.pk)
    duplicates_scan_country()
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.NOT_SAME and pair.decided_by == province_user


def _queue(client, user):
    client.force_login(user)
    return client.get("/students/duplicates/")


def test_review_queue_is_scoped_and_masks_id_numbers(client, school_a, school_b, school_other_province,
                                                     province_user, province_user_y, school_user):
    keep = make_student(school_a, full_name="Phan Thị Hoà", date_of_birth=DOB, gender="F")
    hanoi_twin = make_student(school_b, full_name="Phan Thi Hoa", date_of_birth=DOB, gender="F", id_number=None)
    duplicates_scan_country()
    assert DuplicateCandidate.objects.count() == 1
    page = _queue(client, province_user)
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="duplicate-row"') == 1
    assert keep.id_number not in html and mask_id_number(keep.id_number) in html
    assert hanoi_twin.pupil_code in html and "Phan Thi Hoa" in html
    assert _queue(client, province_user_y).content.decode().count('data-testid="duplicate-row"') == 0
    assert _queue(client, school_user).status_code == 403


def test_queue_merge_then_undo_and_dismiss_from_the_page(client, school_a, school_b, province_user):
    keep, remove = twins(school_a, school_b)
    duplicates_scan_country()
    client.force_login(province_user)
    pair = DuplicateCandidate.objects.get(pupil_a=keep, pupil_b=remove)
    response = client.post(f"/students/duplicates/{pair.pk}/merge/", {"keep": "a"})
    assert response.status_code == 302 and not Student.objects.filter(pk=remove.pk).exists()
    assert 'data-testid="undo"' in client.get("/students/duplicates/").content.decode()
    client.post(f"/students/duplicates/{pair.pk}/undo/")
    assert Student.objects.filter(pk=remove.pk).exists()
    client.post(f"/students/duplicates/{pair.pk}/dismiss/")
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.NOT_SAME
