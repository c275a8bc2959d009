"""Pupil pages and endpoints: the shared list, detail, scope, query-count and ID-number masking checks
(tests/base.py)."""
from tests.base import IdNumberTests, Kind, KindViewTests
from tests.factories import make_student, teaching_every_grade


class TestStudentViews(IdNumberTests, KindViewTests):
    kind = Kind(name="students", list_page="students:list", detail_page="students:detail",
                list_endpoint="api:student-list", detail_endpoint="api:student-detail",
                make_in=make_student)


def _select(html: str, name: str) -> str:
    """The <select name=...> element of the filter form ('' when the page shows none)."""
    import re

    found = re.search(rf'<select name="{name}"[^>]*>.*?</select>', html, re.S)
    return found.group(0) if found else ""


def test_class_list_filters_are_pickers_of_this_schools_classes(client, school_user, school_a, school_b):
    """A school picks a grade and a class among those it has this year (the classes narrowed by the
    grade); the list shows each pupil's grade and class; no id or code is asked for."""
    teaching_every_grade(school_a)
    from django.urls import reverse

    from tests.factories import real_identity

    a6 = make_student(school_a, grade=6, class_name="6A", **real_identity(serial=9191, year=2014))
    make_student(school_a, grade=3, class_name="3B")
    make_student(school_a, grade=3, class_name="3A10")
    make_student(school_a, grade=3, class_name="3A2")
    make_student(school_b, grade=4, class_name="4C")
    client.force_login(school_user)
    html = client.get(reverse("students:list")).content.decode()
    grades = _select(html, "grade")
    assert '<option value="3">Khối 3</option>' in grades and '<option value="6">Khối 6</option>' in grades
    assert 'value="4"' not in grades  # school B's grade
    classes = _select(html, "class_name")
    assert classes.index("3A2") < classes.index("3A10") < classes.index("3B") < classes.index("6A")
    assert "4C" not in classes
    for code_input in ('name="school_code"', 'name="province"', 'name="commune"', 'name="school"'):
        assert f'type="text" {code_input}' not in html and _select(html, code_input[6:-1]) == ""
    narrowed = client.get(reverse("students:list"), {"grade": "6"}).content.decode()
    assert "6A" in _select(narrowed, "class_name") and "3B" not in _select(narrowed, "class_name")
    assert 'selected>Khối 6' in _select(narrowed, "grade")
    row = narrowed.split(a6.full_name)[1].split("</tr>")[0]
    assert '<td data-testid="grade">6</td><td data-testid="class">6A</td>' in row


def test_province_list_picks_commune_then_school_by_name(client, province_user, school_a):
    from django.urls import reverse

    make_student(school_a, grade=3, class_name="3A")
    client.force_login(province_user)
    html = client.get(reverse("students:list")).content.decode()
    assert _select(html, "province") == ""  # the province is the user's own
    assert f'value="{school_a.commune_id}"' in _select(html, "commune")
    # Before a commune is picked the school picker lists no school: it is filled by searching (/schools/pick/).
    assert "data-search=" in _select(html, "school") and "<option value=\"\" selected>Tất cả</option>" in html
    assert f'value="{school_a.pk}"' not in _select(html, "school") and _select(html, "class_name") == ""
    assert 'type="number" name="school"' not in html and 'name="school_code"' not in html.replace(
        'type="hidden" name="school_code"', "")
    picked = client.get(reverse("students:list"), {"commune": school_a.commune_id}).content.decode()
    assert f'<option value="{school_a.pk}">{school_a.name}</option>' in _select(picked, "school")
    school = client.get(reverse("students:list"), {"commune": school_a.commune_id, "school": school_a.pk})
    assert '<option value="3A">3A</option>' in _select(school.content.decode(), "class_name")


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
