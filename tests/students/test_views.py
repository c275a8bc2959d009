"""Pupil pages and endpoints: the shared list, detail, scope, query-count and ID-number masking checks
(tests/base.py)."""
from tests.base import IdNumberTests, Kind, KindViewTests
from tests.factories import make_student


class TestStudentViews(IdNumberTests, KindViewTests):
    kind = Kind(name="students", list_page="students:list", detail_page="students:detail",
                list_endpoint="api:student-list", detail_endpoint="api:student-detail",
                make_in=make_student)


# --- Xoá hồ sơ (nhập nhầm): a reason and a confirmation, on the pupil's page -------------------------

def test_the_delete_form_needs_a_reason_and_the_confirmation(client, school_a, school_user):
    from django.urls import reverse

    from audit.models import AuditEvent
    from edu_portal.common.tombstones import DeletedRecord
    from students.models import Student

    pupil = make_student(school_a)
    client.force_login(school_user)
    page = client.get(reverse("students:detail", args=[pupil.pk])).content.decode()
    assert 'data-testid="delete-form"' in page and "Xoá hồ sơ (nhập nhầm)" in page
    url = reverse("students:delete", args=[pupil.pk])
    for data, field in (({"reason": "Nhập trùng"}, "confirm"), ({"reason": "  ", "confirm": "on"}, "reason")):
        response = client.post(url, data)
        assert response.status_code == 200 and f'data-testid="field-error-{field}"' in response.content.decode()
        assert Student.objects.filter(pk=pupil.pk).exists()
    pk = pupil.pk
    response = client.post(url, {"reason": "Nhập trùng với HS khác", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("students:list")
    assert not Student.objects.filter(pk=pk).exists()
    tombstone = DeletedRecord.objects.get(kind="student", record_id=pk)
    assert tombstone.reason == "Nhập trùng với HS khác"
    why = AuditEvent.objects.get(model="common.deletedrecord", record_id=tombstone.pk)
    assert (why.actor, why.door, why.before["reason"]) == ("t_school_a", "web", "Nhập trùng với HS khác")


def test_the_delete_form_is_not_for_another_school(client, school_a, school_user_b):
    from django.urls import reverse

    from students.models import Student

    pupil = make_student(school_a)
    client.force_login(school_user_b)
    response = client.post(reverse("students:delete", args=[pupil.pk]), {"reason": "Nhầm", "confirm": "on"})
    assert response.status_code == 404 and Student.objects.filter(pk=pupil.pk).exists()
