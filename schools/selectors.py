"""Reads on schools, always through the caller's scope."""
from django.db.models import QuerySet
from django.utils.translation import gettext

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from geo.models import Commune, Province

from .filtersets import SchoolFilterSet
from .models import School


def school_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[School]:
    qs = scope.filter(School.objects.select_related("province", "commune"), school_field="")
    return SchoolFilterSet(filters, queryset=qs).qs


def school_get(*, scope: Scope, pk: int) -> School:
    school = scope.filter(School.objects.select_related("province", "commune", "merged_into"),
                          school_field="").filter(pk=pk).first()
    if school is None:
        raise NotInScope()
    return school


def school_for_entry(*, scope: Scope, pk) -> School:
    """The school a record is added to from a web form: a school user's own school; for a province or
    ministry user, a school of their scope named in the link (as they upload on a school's behalf).
    Anything else is not found, so a link tells nothing about other scopes."""
    if scope.kind == SCHOOL:
        return school_get(scope=scope, pk=scope.school_id)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotInScope() from None
    return school_get(scope=scope, pk=pk)


def place_pickers(*, scope: Scope, province: str = "", commune: str = "",
                  school: str = "") -> dict[str, list[tuple] | None]:
    """The choices of a list page's place pickers (province, then a commune of it, then a school of that
    commune), so that nobody types a code or an id: a ministry user picks the province, a province user
    starts at the communes. None: a picker the scope or the choices made so far leave out (a school's
    own list has none; the schools appear once a commune is picked, not thousands at once)."""
    if scope.kind == SCHOOL:
        return {"province": None, "commune": None, "school": None}
    provinces = None
    if scope.kind == COUNTRY:
        provinces = list(Province.objects.order_by("code").values_list("code", "name"))
    else:
        province = scope.province_code
    communes = list(Commune.objects.filter(province_id=province).order_by("name").values_list("code", "name")) \
        if province else None
    if communes and commune in {code for code, _name in communes}:
        schools = list(scope.filter(School.objects.filter(commune_id=commune), school_field="")
                       .order_by("name").values_list("pk", "name"))
    else:
        # Before a commune is picked, the school picker holds the school chosen (if in scope) and is filled by
        # searching (school_search, static/js/pickers.js): thousands of schools are never sent at once.
        schools = list(scope.filter(School.objects.filter(pk=school), school_field="").values_list("pk", "name")) \
            if str(school).isdigit() and int(school) < 2**63 else []
    return {"province": provinces, "commune": communes, "school": schools}


SCHOOL_SEARCH_LIMIT = 20


def school_search(*, scope: Scope, q: str = "", province: str = "", commune: str = "") -> list[dict]:
    """The school picker's search: schools of the scope (and of the province or commune picked) whose name or
    code holds what was typed, by name, SCHOOL_SEARCH_LIMIT at most. Outside the scope nothing is found: a
    province's staff never learn another province's school names this way."""
    filters = {"q": q.strip()[:100], "province": province, "commune": commune}
    rows = school_list(scope=scope, filters={k: v for k, v in filters.items() if v}).order_by("name", "pk")
    return [{"id": s.pk, "name": s.name, "code": s.code, "commune": s.commune.name if s.commune_id else ""}
            for s in rows[:SCHOOL_SEARCH_LIMIT]]


def school_counts(*, school: School) -> dict:
    """Head counts shown on a school's page (through the reverse relations: the records apps sit
    above schools, which does not import them)."""
    return {"students": school.students.count(), "staff": school.staff.count()}


# --- scopes in words and in text: a Scope is a plain value; naming one needs the schools ----------

def scope_describe(scope: Scope) -> str:
    """The scope's name for people: "Toàn quốc", the province's or the school's name."""
    if scope.kind == COUNTRY:
        return gettext("Toàn quốc")
    if scope.kind == PROVINCE:
        return Province.objects.filter(pk=scope.province_code).values_list("name", flat=True).first() or ""
    return School.objects.filter(pk=scope.school_id).values_list("name", flat=True).first() or ""


def scope_as_string(scope: Scope) -> str:
    """country | province:<code> | school:<MOET code> (the form the commands take; scope_parse reads it)."""
    if scope.kind == COUNTRY:
        return "country"
    if scope.kind == PROVINCE:
        return f"province:{scope.province_code}"
    return f"school:{School.objects.values_list('code', flat=True).get(pk=scope.school_id)}"


def scope_parse(value: str, *, can_view_id_numbers: bool = False) -> Scope:
    """Parse 'country', 'province:<code>' or 'school:<MOET code>' into a Scope (for commands)."""
    kind, _, code = value.partition(":")
    if kind == COUNTRY and not code:
        return Scope.country(can_view_id_numbers=can_view_id_numbers)
    if kind == PROVINCE and Province.objects.filter(pk=code).exists():
        return Scope(PROVINCE, province_code=code, can_view_id_numbers=can_view_id_numbers)
    if kind == SCHOOL:
        school = School.objects.filter(code=code).only("pk", "province_id").first()
        if school:
            return Scope(SCHOOL, school_id=school.pk, province_code=school.province_id,
                         can_view_id_numbers=can_view_id_numbers)
    raise AppError(gettext("Phạm vi không hợp lệ: '%(value)s' (dùng country, province:<mã> hoặc school:<mã trường>).") % {"value": value},
                   code="invalid_scope")
