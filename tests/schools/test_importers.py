"""School row rules: codes, reference data and the uploader's scope."""
import pytest

from accounts.scope import Scope
from edu_portal.common.importing import ImportContext
from schools.importers import validate_row
from tests.factories import commune_of

pytestmark = pytest.mark.django_db


def row(**changes):
    base = {"code": "HN0001", "name": "Trường Tiểu học Thử", "level": "Tiểu học", "ownership": "Công lập",
            "province": "1", "commune": commune_of("01"), "address": " 1  Phố Huế ", "status": ""}
    return {**base, **changes}


def test_a_good_row_is_cleaned():
    cleaned, errors = validate_row(row(), context=ImportContext(scope=Scope.country()))
    assert errors == []
    assert (cleaned["province_id"], cleaned["level"], cleaned["status"], cleaned["address"]) == \
        ("01", "primary", "open", "1 Phố Huế")


def test_province_outside_scope_and_commune_of_another_province_are_refused():
    hanoi = ImportContext(scope=Scope("province", province_code="01"))
    _, errors = validate_row(row(province="79", commune=commune_of("79")), context=hanoi)
    assert [e.column for e in errors] == ["province"] and "phạm vi" in errors[0].reason
    _, errors = validate_row(row(commune=commune_of("79")), context=hanoi)
    assert [e.column for e in errors] == ["commune"]


def test_merging_is_not_done_by_file():
    _, errors = validate_row(row(status="Đã sáp nhập"), context=ImportContext(scope=Scope.country()))
    assert [e.column for e in errors] == ["status"]
