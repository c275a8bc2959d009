"""Staff pages and endpoints: the shared list, detail, scope, query-count and ID-number masking checks
(tests/base.py)."""
from django.urls import reverse

from tests.base import IdNumberTests, Kind, KindViewTests
from tests.factories import make_staff


class TestStaffViews(IdNumberTests, KindViewTests):
    kind = Kind(name="staff", list_page="teachers:list", detail_page="teachers:detail",
                list_endpoint="api:staff-list", detail_endpoint="api:staff-detail",
                make_in=make_staff)


def test_the_detail_page_shows_training_and_the_standard(client, school_user, school_a):
    staff = make_staff(school_a, qualification="bachelor", training_field="other", pedagogy_certificate=False)
    client.force_login(school_user)
    page = client.get(reverse("teachers:detail", args=[staff.pk])).content.decode()
    assert "ngoài sư phạm" in page
    assert "Chưa đạt chuẩn, thuộc lộ trình nâng chuẩn (Nghị định 71/2020)" in page
