"""Scopes in words and in text (a Scope itself does not query: schools.selectors names it)."""
import pytest

from accounts.scope import PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError
from geo.models import Province
from schools.selectors import scope_as_string, scope_describe, scope_parse


def test_a_scope_reads_back_from_its_string(school_a):
    for text in ("country", "province:01", f"school:{school_a.code}"):
        assert scope_as_string(scope_parse(text)) == text
    school = scope_parse(f"school:{school_a.code}", can_view_id_numbers=True)
    assert school == Scope(SCHOOL, school_id=school_a.pk, province_code="01", can_view_id_numbers=True)


@pytest.mark.parametrize("text", ["", "country:01", "province:99", "school:NO-SUCH-SCHOOL", "region:01"])
def test_an_unknown_scope_is_refused(db, text):
    with pytest.raises(AppError) as exc:
        scope_parse(text)
    assert exc.value.code == "invalid_scope"


def test_a_scope_is_named_for_people(school_a):
    assert scope_describe(Scope.country()) == "Toàn quốc"
    assert scope_describe(Scope(PROVINCE, province_code="01")) == Province.objects.get(pk="01").name
    assert scope_describe(Scope(SCHOOL, school_id=school_a.pk, province_code="01")) == school_a.name
