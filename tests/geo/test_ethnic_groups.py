"""The 54 ethnic groups of Quyết định 121-TCTK/PPCĐ (1979) and the spellings mapped to them."""
import unicodedata

import pytest

from edu_portal.common.exceptions import AppError
from geo.ethnicity import ethnic_groups_read, ethnicity_key, ethnicity_lookup_build
from geo.models import EthnicGroup
from geo.selectors import ethnic_groups, ethnicity_normalize, ethnicity_official_or_raise

GROUPS = ethnic_groups_read()
LOOKUP = ethnicity_lookup_build(GROUPS)


def test_the_list_has_54_groups_coded_01_to_54_with_the_decisions_names():
    assert [code for code, _, _ in GROUPS] == [f"{i:02d}" for i in range(1, 55)]
    names = dict((code, name) for code, name, _ in GROUPS)
    assert len(set(names.values())) == 54
    # The order of the decision (by population in 1979), not the 2008 list's (where Mường is 04).
    assert [names[c] for c in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13")] == [
        "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "HMông", "Dao", "Gia-rai", "Ngái", "Ê-đê", "Ba-na"]
    assert (names["23"], names["47"], names["53"], names["54"]) == ("Bru-Vân Kiều", "Cơ Lao", "Ơ-đu", "Rơ-măm")
    assert all(unicodedata.is_normalized("NFC", n) for n in names.values())


def test_no_spelling_names_two_groups():
    """Every official name and alias, folded, points to one group only."""
    owner = {}
    for _code, name, aliases in GROUPS:
        for spelling in (name, *aliases):
            assert owner.setdefault(ethnicity_key(spelling), name) == name, spelling


@pytest.mark.parametrize("typed,official", [
    ("Khmer", "Khơ-me"), ("Khơ Me", "Khơ-me"), ("KHO ME", "Khơ-me"), ("H'Mông", "HMông"), ("Mông", "HMông"),
    ("Hmong", "HMông"), ("Bana", "Ba-na"), ("Ba Na", "Ba-na"), ("Ê-đê", "Ê-đê"), ("Ede", "Ê-đê"),
    ("Ê Đê", "Ê-đê"), ("gia rai", "Gia-rai"), ("Xơ Đăng", "Xơ-đăng"), ("Cơ Ho", "Cơ-ho"), ("  tày ", "Tày"),
    ("Kinh (Việt)", "Kinh"), ("05", "Khơ-me"), ("8", "HMông"),
    (unicodedata.normalize("NFD", "Mường"), "Mường"),  # macOS writes NFD
])
def test_spellings_map_to_the_official_name(typed, official):
    assert ethnicity_normalize(typed, lookup=LOOKUP) == official


def test_empty_is_kinh_and_unknown_is_none():
    assert ethnicity_normalize("", lookup=LOOKUP) == ethnicity_normalize(None, lookup=LOOKUP) == "Kinh"
    assert ethnicity_normalize("Xyz", lookup=LOOKUP) is None
    assert ethnicity_normalize("55", lookup=LOOKUP) is None


@pytest.mark.django_db
def test_the_table_is_loaded_with_the_admin_units_and_read_by_the_selectors():
    assert EthnicGroup.objects.count() == 54
    assert ethnic_groups()[4] == ("05", "Khơ-me")
    assert EthnicGroup.objects.get(code="08").aliases[:2] == ["H'Mông", "H’Mông"]
    assert ethnicity_normalize("Khmer") == "Khơ-me"
    assert ethnicity_official_or_raise("H'Mông") == "HMông"
    with pytest.raises(AppError) as caught:
        ethnicity_official_or_raise("Khmer Đỏ")
    assert "54 dân tộc" in caught.value.message and "ethnicity" in caught.value.details
