"""One person, one record (issue 16): the pupils upload's preview warns of new rows that may be a pupil
already on file, at any school, naming only the pupil's name, birth date and school; the file still commits."""
import datetime as dt
import json

import pytest

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.importing import ImportContext
from students.importers import PUPILS
from students.importers import pupils as pupils_importer
from students.models import Student
from tests.factories import UserFactory, make_student, real_identity
from uploads.models import UploadStatus
from uploads.services import validate

from .conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db

BORN = dt.date(2016, 3, 5)


@pytest.fixture
def on_file(school_a, school_b, school_user):
    """School A's three pupils (uploaded), and at school B a pupil with a number and a look-alike of A's second."""
    commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(3))))
    other = make_student(school_b, full_name="Nguyễn Thị Thu Hà", date_of_birth=BORN, gender="F",
                         id_number=real_identity(serial=777_001, year=2016, gender="F")["id_number"])
    lookalike = make_student(school_b, full_name="Nguyen Thi Thu C", date_of_birth=dt.date(2016, 3, 15), gender="F",
                             id_number=None)
    return {"other": other, "lookalike": lookalike, "own": Student.objects.get(pupil_code="HSA0000001")}


def _one_digit_off(number: str) -> str:
    return number[:-1] + ("7" if number[-1] != "7" else "3")


def _second_file(other_number: str | None = None) -> list[list[str]]:
    rows = pupil_rows(1, start=2)                      # row 2: HSA0000002, an update (class changed)
    rows[0][8] = "3B"
    new = pupil_rows(2, start=10)                      # rows 3 and 4: new codes
    new[0][2], new[0][3] = "Nguyen Thi Thu Ha", "03/05/2016"   # no diacritics; day and month swapped
    if other_number:
        new[0][1] = _one_digit_off(other_number)       # and the number mistyped by one digit
    new[1][2] = "Nguyễn Thị Thử B"                     # school A's own HSA0000001 under a new code
    plain = pupil_rows(1, start=20)                    # row 5: nobody like her on file
    plain[0][2] = "Lê Thị Khác"
    return rows + new + plain


def test_new_rows_like_a_pupil_on_file_are_warned_of_with_name_birth_date_and_school_only(
        client, school_a, school_user, on_file):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _second_file(on_file["other"].id_number)))

    assert upload.status == UploadStatus.VALIDATED and upload.can_commit   # a warning, not a refusal
    assert (upload.new_count, upload.changed_count) == (3, 1)
    assert upload.duplicate_warning_count == 2
    assert upload.duplicate_warnings == [
        {"row": 3, "name": "Nguyen Thi Thu Ha",
         "matches": [{"full_name": "Nguyễn Thị Thu Hà", "date_of_birth": "2016-03-05",
                      "school_name": "Trường Tiểu học B"}]},
        {"row": 4, "name": "Nguyễn Thị Thử B",   # the uploading school's own pupils are not left out
         "matches": [{"full_name": "Nguyễn Thị Thử B", "date_of_birth": "2016-03-15",
                      "school_name": "Trường Tiểu học A"}]},
    ]   # row 2 updates HSA0000002: no warning, though school B has a look-alike of her

    secrets = [on_file["other"].pupil_code, on_file["other"].id_number, on_file["own"].pupil_code,
               on_file["own"].id_number, on_file["lookalike"].pupil_code]
    assert not any(s in json.dumps(upload.duplicate_warnings) for s in secrets)
    clerk = UserFactory(username="t_clerk_dup", role=Role.SCHOOL, school=school_a, may_view_id_numbers=False)
    for user in (school_user, clerk):
        client.force_login(user)
        page = client.get(f"/uploads/{upload.pk}/").content.decode()
        warnings = page.split('data-testid="duplicate-warnings"', 1)[1].split("</table>", 1)[0]
        assert "Nguyen Thi Thu Ha" in warnings and "Nguyễn Thị Thu Hà, sinh ngày 05/03/2016, Trường Tiểu học B" \
            in warnings
        assert "Nguyễn Thị Thử B, sinh ngày 15/03/2016, Trường Tiểu học A" in warnings
        assert not any(s in page for s in secrets)

    upload = commit(school_user, upload)
    assert upload.status == UploadStatus.COMMITTED
    saved = dict(Student.objects.filter(school=school_a).values_list("pupil_code", "date_of_birth"))
    assert saved["HSA0000010"] == dt.date(2016, 5, 3) and "HSA0000011" in saved and len(saved) == 6


def test_the_check_runs_once_per_batch_of_new_rows(school_a, school_user, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(pupils_importer, "DUPLICATE_BATCH", 2)
    context = ImportContext(scope=Scope.for_user(school_user), school=school_a)
    rows = [(n, {"full_name": f"Phạm Văn {chr(65 + n)}", "date_of_birth": BORN, "gender": "M"}) for n in range(5)]
    with django_assert_num_queries(3):
        assert PUPILS.likely_duplicates(rows, context=context) == {}


def test_only_the_first_warnings_are_stored_but_all_are_counted(client, school_user, on_file, monkeypatch):
    monkeypatch.setattr(validate, "STORED_DUPLICATES", 1)
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _second_file(on_file["other"].id_number)))

    assert upload.duplicate_warning_count == 2 and [w["row"] for w in upload.duplicate_warnings] == [3]
    client.force_login(school_user)
    assert "Hiển thị 1 trên 2 dòng." in client.get(f"/uploads/{upload.pk}/").content.decode()


def test_a_file_asked_about_keeps_no_warning(school_user, on_file):
    rows = _second_file(on_file["other"].id_number)
    for row in rows:
        row[3] = "04/02/2016"   # every date ambiguous: the preview asks first
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows))
    assert upload.status == UploadStatus.QUESTION
    assert upload.duplicate_warnings == [] and upload.duplicate_warning_count == 0


def test_the_commit_hands_new_and_changed_pupils_to_the_duplicate_finder(school_user, on_file, monkeypatch):
    from students.duplicates import duplicates_scan_pupils
    from students.models import DuplicateCandidate
    from uploads.services import commit as commit_module

    sent = []
    monkeypatch.setattr(commit_module, "enqueue_on_commit", lambda name, *args: sent.append((name, args)))
    commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, _second_file())))
    (ids,) = [args[0] for name, args in sent if name == "students.duplicates_scan_pupils"]
    new = set(Student.objects.filter(pupil_code__in=["HSA0000010", "HSA0000011", "HSA0000020"])
              .values_list("pk", flat=True))
    assert new <= set(ids)   # every new pupil, with or without a number
    DuplicateCandidate.objects.all().delete()
    duplicates_scan_pupils(ids=ids)
    # School A's own pupil under a new code, her number mistyped by one digit (001316000011 for ...001).
    again, own = Student.objects.get(pupil_code="HSA0000011"), on_file["own"]
    pair = DuplicateCandidate.objects.get(pupil_a_id=min(again.pk, own.pk), pupil_b_id=max(again.pk, own.pk))
    assert pair.evidence["id_number_typo"] is True
    # Namesakes with two numbers that are not one keystroke apart stay out of the queue.
    other = Student.objects.get(pupil_code="HSA0000010")
    assert not DuplicateCandidate.objects.filter(pupil_a_id=min(other.pk, on_file["other"].pk),
                                                 pupil_b_id=max(other.pk, on_file["other"].pk)).exists()
