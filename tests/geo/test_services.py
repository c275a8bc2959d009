from geo.models import Commune, LegacyProvince, Province
from geo.services import admin_units_load


def test_admin_units_after_the_2025_reform_load_idempotently(db):
    first = admin_units_load()
    second = admin_units_load()
    assert first == second == {"provinces": 34, "communes": 3321, "legacy_provinces": 63, "ethnic_groups": 54}
    assert Province.objects.count() == 34 and Commune.objects.count() == 3321
    # Hà Giang merged into Tuyên Quang; Bình Dương into Hồ Chí Minh City.
    assert LegacyProvince.objects.get(code="002").province_id == "08"
    assert LegacyProvince.objects.get(code="074").province_id == "79"
    assert set(LegacyProvince.objects.values_list("province_id", flat=True)) == set(
        Province.objects.values_list("code", flat=True))
