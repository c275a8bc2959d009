"""The review queue of duplicate pupils as a list (issue 21): sorted by score (the queue's own order) or
by when the pair was found, paged, and exported as shown: a pupil of another province without its code,
ID numbers as the scope may see them, full numbers exported audited with the pupils as the records."""
import datetime as dt
import re

import pytest

from audit.models import Action, AuditEvent
from edu_portal.common.identity import mask_id_number
from students.duplicates import duplicates_scan_country
from students.models import DuplicateCandidate
from tests.exports import read_export
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db
DOB = dt.date(2015, 3, 7)


@pytest.fixture
def pairs(school_a, school_b, school_other_province):
    """A strong pair across provinces (same name, same birth date) and a weaker one in Hà Nội (day and month
    swapped)."""
    hanoi = make_student(school_a, full_name="Phan Thị Hoà", date_of_birth=DOB, gender="F")
    saigon = make_student(school_other_province, full_name="Phan Thi Hoa", date_of_birth=DOB, gender="F",
                          id_number=None)
    first = make_student(school_a, full_name="Lê Văn Nam", date_of_birth=dt.date(2014, 5, 9), gender="M",
                         id_number=None)
    swapped = make_student(school_b, full_name="Le Van Nam", date_of_birth=dt.date(2014, 9, 5), gender="M",
                           id_number=None)
    duplicates_scan_country()
    strong = DuplicateCandidate.objects.get(pupil_a__in=[hanoi, saigon])
    weak = DuplicateCandidate.objects.get(pupil_a__in=[first, swapped])
    assert strong.score > weak.score
    return {"strong": strong, "weak": weak, "hanoi": hanoi, "saigon": saigon}


def _rows(client, **params):
    return [c.pk for c in client.get("/students/duplicates/", params).context["page"]]


def test_the_queue_sorts_by_score_or_by_when_found(client, province_user, pairs):
    client.force_login(province_user)
    strong, weak = pairs["strong"].pk, pairs["weak"].pk
    assert _rows(client) == [strong, weak]                      # the queue's own order: highest score first
    assert _rows(client, sort="score") == [weak, strong]
    assert _rows(client, sort="-score") == [strong, weak]
    DuplicateCandidate.objects.filter(pk=weak).update(found_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _rows(client, sort="found") == [weak, strong]
    page = client.get("/students/duplicates/", {"sort": "-found", "per_page": 25})
    headers = {str(h["label"]): h for h in page.context["listing"]["headers"]}
    assert headers["Phát hiện lúc"]["aria_sort"] == "descending" and headers["Bằng chứng"]["url"] == ""
    assert 'data-testid="pager"' in page.content.decode()


def test_the_export_holds_the_pairs_as_shown_with_other_provinces_pupils_without_code(client, province_user, pairs):
    client.force_login(province_user)  # sees ID numbers masked
    response = client.get("/students/duplicates/", {"export": "csv", "sort": "score"})
    assert re.search(r'filename="ho-so-nghi-trung_[a-z-]+_\d{4}-\d\d-\d\d\.csv"', response["Content-Disposition"])
    as_of, (header, *rows) = read_export(response)
    assert as_of.startswith("Hồ sơ nghi trùng") and "sắp xếp: Điểm ▲" in as_of
    assert len(rows) == 2 and [float(r[0].replace(",", ".")) for r in rows] == sorted(
        [pairs["weak"].score, pairs["strong"].score])
    text = response.content.decode("utf-8-sig")
    hanoi, saigon = pairs["hanoi"], pairs["saigon"]
    assert hanoi.pupil_code in text and saigon.pupil_code not in text and "(tỉnh khác)" in text
    assert "Phan Thi Hoa" in text                                # the name is shown, as on the page
    assert hanoi.id_number not in text and mask_id_number(hanoi.id_number) in text
    assert "Hồ sơ A: Số định danh" in header and "cùng ngày sinh" in text
    assert not AuditEvent.objects.filter(action=Action.EXPORT_ID).exists()
    xlsx = client.get("/students/duplicates/", {"export": "xlsx"})
    _as_of, (xheader, *xrows) = read_export(xlsx)
    assert isinstance(xrows[0][0], float) and isinstance(xrows[0][xheader.index("Hồ sơ A: Ngày sinh")], dt.datetime)


def test_full_id_numbers_exported_are_audited_with_the_pupils_as_records(client, pairs):
    reviewer = UserFactory(username="t_hanoi_ids", role="province", province_id="01", may_view_id_numbers=True)
    client.force_login(reviewer)
    text = client.get("/students/duplicates/", {"export": "csv"}).content.decode("utf-8-sig")
    assert pairs["hanoi"].id_number in text
    event = AuditEvent.objects.get(action=Action.EXPORT_ID)
    # The pupils whose number was exported (the others have none), not the pairs.
    assert event.model == "students.student" and event.record_ids == [pairs["hanoi"].pk]
    client.get("/students/duplicates/")
    assert AuditEvent.objects.filter(action=Action.VIEW_ID, model="students.student").count() == 1


def test_the_export_stays_within_the_scope(client, province_user_y, pairs):
    client.force_login(province_user_y)  # Hồ Chí Minh City: the strong pair touches it, the weak one does not
    response = client.get("/students/duplicates/", {"export": "csv"})
    _as_of, (_header, *rows) = read_export(response)
    text = response.content.decode("utf-8-sig")
    assert len(rows) == 1 and pairs["saigon"].pupil_code in text and pairs["hanoi"].pupil_code not in text
    assert "Le Van Nam" not in text
