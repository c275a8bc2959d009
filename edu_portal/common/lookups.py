"""`<foreign key>__any_of=<queryset of ids>`: the rows of `__in`, written `= ANY(ARRAY(subquery))`.

Why not `__in`: for an area's schools (Hồ Chí Minh City: 2,731) `__in` either joins, and
PostgreSQL then walks the schools' primary key from the first school to merge with the pupils
(24 ms per page at national size), or spells the ids out, which Django prepares one by one
(8 ms). `= ANY(ARRAY(SELECT ...))` runs the subquery once and reads the pupils' school index from
the area's first school on, in order (1 ms).

An area's ids (`school_ids_in_area`) are read when the query is compiled and passed as ONE array
constant, `= ANY('{...}'::bigint[])`, not as `ARRAY(subquery)`: an array that is a run-time
parameter is searched element by element for every row a scan filters (Hồ Chí Minh City: 2,731
comparisons a row), and the planner cannot see its size. Counting a province's 1.2 million pupils
(the list page's count, 12.9 million pupils loaded) took 98 s that way, 3.6 s with the constant,
which PostgreSQL hashes and estimates from its statistics. It costs one small query (the area's
ids, by index) each time the query is compiled.
"""
from django.db.models import ForeignKey, IntegerField, Lookup
from django.db.models.expressions import RawSQL


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if self.rhs_is_direct_value():
            raise TypeError("any_of takes a queryset of ids (a subquery), not values")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, AreaSchoolIds):
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.ids(connection)]
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


class AreaSchoolIds(RawSQL):
    """An area's school ids: read when the query is compiled (the module docstring says why)."""

    def ids(self, connection) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return [row[0] for row in cursor.fetchall()]


def register() -> None:
    ForeignKey.register_lookup(AnyOf)


# Fixed text, values passed as parameters.
_AREA_SCHOOL_IDS = {
    "province": "SELECT id FROM schools_school WHERE province_id = %s",
    "commune": "SELECT id FROM schools_school WHERE commune_id = %s",
}


def school_ids_in_area(*, province_code: str | None = None, commune_code: str | None = None) -> AreaSchoolIds:
    """The ids of one area's schools (a province's or a commune's), as a subquery for
    `school__any_of` (the module docstring says why pupils and staff of an area are not found by
    a join).

    Written in SQL on the schools' table so that the platform (filtersets) and the base layer
    (accounts.scope) need not import the schools app: imports point down only (STYLE.md)."""
    if (province_code is None) == (commune_code is None):
        raise TypeError("school_ids_in_area takes one area: province_code or commune_code")
    area, code = ("province", province_code) if province_code is not None else ("commune", commune_code)
    return AreaSchoolIds(_AREA_SCHOOL_IDS[area], [code], output_field=IntegerField())  # noqa: S611 (fixed text)
