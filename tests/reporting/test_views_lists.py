"""A period's page for a province: the schools' reports as a list of the list component (sorted, paged, exported
with the period named in the "as of" line), the scope's schools only."""
import pytest
from django.urls import reverse

from accounts.scope import Scope
from reporting import services
from tests.exports import read_export

pytestmark = pytest.mark.django_db


def test_the_reports_list_sorts_and_exports(client, period, province_user, school_a, school_b,
                                           school_other_province):
    for school in (school_a, school_b, school_other_province):
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)
    client.force_login(province_user)
    url = reverse("reporting:period", args=[period.pk])
    for sort, expected in (("school", [school_a.name, school_b.name]), ("-school", [school_b.name, school_a.name])):
        page = client.get(url, {"sub_sort": sort})
        assert [s.school.name for s in page.context["submissions"]["page"]] == expected
    as_of, rows = read_export(client.get(url, {"sub_export": "csv", "sub_sort": "-school"}))
    assert rows[0][:2] == ["Trường", "Mã trường"]
    assert [r[1] for r in rows[1:]] == [school_b.code, school_a.code]  # not the other province's school
    assert "Kỳ báo cáo" in as_of
