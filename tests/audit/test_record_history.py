"""A pupil's or staff member's page: the identity check's failure first, the history of changes only,
and who saw the full number apart (for those who may read the trail)."""
import re

import pytest

from students.models import Student
from teachers.models import StaffMember
from tests.factories import make_staff, make_student

pytestmark = pytest.mark.django_db


def _history_rows(html: str) -> int:
    table = html.split('data-testid="record-history"', 1)[1].split("</table>", 1)[0]
    return table.count("<tr data-action=")


def test_page_views_do_not_grow_the_history(client, school_a, school_user, ministry_user):
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(ethnicity="Tày")
    client.force_login(school_user)  # may see full numbers: every view is recorded
    first = client.get(f"/students/{pupil.pk}/").content.decode()
    for _ in range(3):
        again = client.get(f"/students/{pupil.pk}/").content.decode()
    assert _history_rows(first) == _history_rows(again) == 3  # the pupil, its enrollment, the change
    assert 'data-action="view_id"' not in again
    assert 'data-testid="id-views"' not in again  # the school does not read the trail

    client.force_login(ministry_user)
    html = client.get(f"/students/{pupil.pk}/").content.decode()
    assert _history_rows(html) == 3
    views = html.split('data-testid="id-views"', 1)[1].split("</details>", 1)[0]
    assert views.count('data-action="view_id"') == 4 and "t_school_a" in views
    assert pupil.id_number not in views


def test_the_failure_reason_leads_the_pupils_page(client, school_a, school_user):
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status="mismatch",
                                               verification_mismatch_fields=["full_name"])
    client.force_login(school_user)
    html = client.get(f"/students/{pupil.pk}/").content.decode()
    block = re.search(r'<div id="identity-state-student-\d+"[^>]*>', html).group(0)
    assert "alert-danger" in block
    reason_at = html.index('data-testid="identity-reason"')
    assert "Thông tin chưa khớp" in html[reason_at:reason_at + 400] and "họ và tên" in html[reason_at:reason_at + 400]
    # At the top: before the pupil's details, its enrollments and its history.
    assert reason_at < html.index('data-testid="id-number"') < html.index('data-testid="record-history"')


def test_a_verified_pupil_has_no_alert(client, school_a, school_user):
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status="verified")
    client.force_login(school_user)
    html = client.get(f"/students/{pupil.pk}/").content.decode()
    assert "alert-danger" not in re.search(r'<div id="identity-state-student-\d+"[^>]*>', html).group(0)
    assert 'data-testid="identity-reason"' not in html


def test_a_staff_members_page_leads_with_its_failure_too(client, school_a, school_user):
    teacher = make_staff(school_a)
    StaffMember.objects.filter(pk=teacher.pk).update(verification_status="not_found")
    client.force_login(school_user)
    html = client.get(f"/staff/{teacher.pk}/").content.decode()
    assert html.index('data-testid="identity-reason"') < html.index('data-testid="id-number"')
    assert html.count('data-action="view_id"') == 0
    # The staff member's posting, written with the record, is part of its history, named by its owner.
    assert "Quá trình công tác" in html.split('data-testid="record-history"', 1)[1]
