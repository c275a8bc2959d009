"""/api/v1/schools/: a school's own write token cannot change the school's master record."""
import pytest

from api.services import api_token_create
from schools.models import School
from schools.selectors import scope_parse
from tests.api.conftest import ApiClient
from tests.factories import commune_of

pytestmark = pytest.mark.django_db


def test_a_school_write_token_cannot_patch_its_own_school(school_user, province_user, school_a):
    before = School.objects.values().get(pk=school_a.pk)
    _, secret = api_token_create(user=school_user, name="sms", scope=scope_parse(f"school:{school_a.code}"),
                                 can_write=True)
    client = ApiClient(secret)
    for change in ({"address": "99 Phố Giả"}, {"status": "closed"}, {"level": "lower_secondary"},
                   {"commune": commune_of("01")}):
        status, body = client.patch(f"/schools/{school_a.pk}/", change)
        assert status == 403, (change, body)
        assert body["error"]["code"] == "permission_denied" and body["error"]["message"]
    status, body = client.post("/schools/", {"code": "SCHAPI9", "name": "Trường Mới", "level": "primary",
                                             "ownership": "public", "province": "01",
                                             "commune": commune_of("01")})
    assert status == 403 and body["error"]["code"] == "permission_denied"
    assert School.objects.values().get(pk=school_a.pk) == before
    # The province's write token may.
    _, secret = api_token_create(user=province_user, name="so", scope=scope_parse("province:01"), can_write=True)
    status, body = ApiClient(secret).patch(f"/schools/{school_a.pk}/", {"address": "99 Phố Giả"})
    assert status == 200 and body["address"] == "99 Phố Giả"
