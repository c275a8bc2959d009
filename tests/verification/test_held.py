"""Held ID numbers reach a reviewer who may see both records and the numbers, who settles them."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from accounts.scope import Scope
from audit.models import AuditEvent
from students.models import Student
from tests.factories import SchoolFactory, UserFactory, make_student
from verification import held

pytestmark = pytest.mark.django_db
DOB = dt.date(2016, 3, 15)


@pytest.fixture
def claim(db):
    """A school with the right typed the number of a pupil of another province: held."""
    home, far = SchoolFactory(province_id="01"), SchoolFactory(province_id="79")
    owner = make_student(far, pupil_code="OWN1", id_number="001316000777", full_name="Lê Thị Chủ",
                         date_of_birth=DOB, gender="F")
    clerk = Scope("school", school_id=home.pk, province_code="01", can_view_id_numbers=True)
    from students.services import student_create

    new = student_create(scope=clerk, school=home, pupil_code="NEW1", full_name="Nguyễn Thị Mới",
                         date_of_birth=DOB, gender="F", grade=3, class_name="3A", id_number=owner.id_number)
    assert new.id_number_held and not Student.objects.get(pk=owner.pk).id_number_held
    return new, owner


def test_only_a_reviewer_covering_both_records_sees_the_claim(claim):
    new, owner = claim
    assert held.held_id_numbers(scope=Scope("province", province_code="01", can_view_id_numbers=True)) == []
    [found] = held.held_id_numbers(scope=Scope.country(can_view_id_numbers=True))
    assert (found.claim.pk, found.owner.pk) == (new.pk, owner.pk)
    with pytest.raises(PermissionDenied):
        held.held_id_numbers(scope=Scope.country())


@pytest.mark.parametrize("keep", ["claim", "owner"])
def test_settling_gives_the_number_to_one_record(claim, keep):
    new, owner = claim
    held.held_id_number_settle(scope=Scope.country(can_view_id_numbers=True), kind="student", pk=new.pk, keep=keep)
    new.refresh_from_db()
    owner.refresh_from_db()
    winner, loser = (new, owner) if keep == "claim" else (owner, new)
    assert winner.id_number == "001316000777" and not winner.id_number_held
    assert loser.id_number is None and loser.verification_status == "invalid_id"
    assert held.held_id_numbers(scope=Scope.country(can_view_id_numbers=True)) == []


def test_the_page_shows_and_settles_for_a_reviewer_and_refuses_others(client, claim):
    new, owner = claim
    reviewer = UserFactory(username="t_reviewer", role=Role.MINISTRY, may_view_id_numbers=True)
    masked = UserFactory(username="t_masked", role=Role.MINISTRY)
    client.force_login(masked)
    assert client.get(reverse("verification:held")).status_code == 403
    client.force_login(reviewer)
    page = client.get(reverse("verification:held"))
    assert page.status_code == 200 and "001316000777" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="view_id", actor_id=reviewer.pk).exists()
    client.post(reverse("verification:held"), {"kind": "student", "pk": new.pk, "keep": "owner"})
    new.refresh_from_db()
    assert new.id_number is None


def test_the_queue_sorts_and_exports_with_the_export_audited(client, claim):
    """The held queue on the list component (issue 21): sorted by name in Vietnamese order (in memory), exported
    whole to a reviewer, the export recorded as one of full ID numbers; refused to a user without the right."""
    new, owner = claim
    far = owner.school
    other_owner = make_student(far, pupil_code="OWN2", id_number="001216000888", full_name="Đỗ Văn Có",
                               date_of_birth=DOB, gender="M")
    from students.services import student_create

    clerk = Scope("school", school_id=new.school_id, province_code="01", can_view_id_numbers=True)
    second = student_create(scope=clerk, school=new.school, pupil_code="NEW2", full_name="Dương Văn Sau",
                            date_of_birth=DOB, gender="M", grade=3, class_name="3A", id_number=other_owner.id_number)
    reviewer = UserFactory(username="t_reviewer2", role=Role.MINISTRY, may_view_id_numbers=True)
    client.force_login(reviewer)
    url = reverse("verification:held")
    # By the whole name in the Vietnamese alphabet: Dương before Nguyễn; Đỗ (Đ after D) before Lê.
    assert [c.claim.pk for c in client.get(url, {"sort": "claim"}).context["page"]] == [second.pk, new.pk]
    assert [c.claim.pk for c in client.get(url, {"sort": "-claim"}).context["page"]] == [new.pk, second.pk]
    assert [c.claim.pk for c in client.get(url, {"sort": "owner"}).context["page"]] == [second.pk, new.pk]
    response = client.get(url, {"export": "csv", "sort": "id_number"})
    assert response["Cache-Control"] == "no-store"
    from tests.exports import export_rows

    rows = export_rows(response)
    assert [r[0] for r in rows[1:]] == ["001216000888", "001316000777"]
    assert "Dương Văn Sau" in rows[1][2] and "Đỗ Văn Có" in rows[1][4]
    assert AuditEvent.objects.filter(action="export_id", actor_id=reviewer.pk).exists()
    client.force_login(UserFactory(username="t_masked2", role=Role.MINISTRY))
    assert client.get(url, {"export": "csv"}).status_code == 403
