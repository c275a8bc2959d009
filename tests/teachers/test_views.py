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


def test_ministry_staff_list_picks_places_by_name(client, ministry_user, school_a):
    import re

    from django.urls import reverse

    from tests.factories import make_staff

    make_staff(school_a)
    client.force_login(ministry_user)
    html = client.get(reverse("teachers:list")).content.decode()
    provinces = re.search(r'<select name="province".*?</select>', html, re.S).group(0)
    assert '<option value="01">' in provinces
    assert 'type="text" name="province"' not in html and 'type="number" name="school"' not in html
    picked = client.get(reverse("teachers:list"), {"province": "01", "commune": school_a.commune_id}).content.decode()
    schools = re.search(r'<select name="school".*?</select>', picked, re.S).group(0)
    assert f'value="{school_a.pk}"' in schools and school_a.name in schools
