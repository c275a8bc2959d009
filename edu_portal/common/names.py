"""Vietnamese name order: lists read by given name, then middle name, then family name, each in
Vietnamese alphabetical order (ICU's `vi` collation: a < ă < â, d < đ, tones after letters).

"Nguyễn Văn An" is family "Nguyễn", middle "Văn", given "An". The parts are expressions on
full_name (built-in, immutable PostgreSQL functions), so an expression index serves the order at
national size without a second copy of every name; the ORDER BY must be written exactly as the
index is, hence one function here for both (students.models, teachers.models)."""
from __future__ import annotations

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Collate, Greatest, Length, Substr, Trim

VIETNAMESE = "vi-x-icu"  # PostgreSQL's ICU collation for Vietnamese (always there when built with ICU)

# split_part and substr, not regular expressions: a deep page of a province sorts every pupil of
# it, and the parts are computed per row (regexp_replace made such a sort twice as slow).


def given_name(field: str = "full_name") -> Func:
    """The last word ("An")."""
    return Func(F(field), Value(" "), Value(-1), function="split_part", output_field=CharField())


def family_name(field: str = "full_name") -> Func:
    """The first word ("Nguyễn")."""
    return Func(F(field), Value(" "), Value(1), function="split_part", output_field=CharField())


def middle_name(field: str = "full_name") -> Func:
    """The words between the first and the last ("Văn"; "" for a name of one or two words)."""
    family, given = Length(family_name(field)), Length(given_name(field))
    return Trim(Substr(F(field), family + Value(1), Greatest(Length(F(field)) - family - given, Value(0))))


def vietnamese_order(field: str = "full_name") -> list:
    """ORDER BY parts for names in Vietnamese order; add the pk after them for a stable order."""
    return [Collate(part(field), VIETNAMESE) for part in (given_name, middle_name, family_name)]


def vietnamese_order_by_sorting(field: str = "full_name") -> list:
    """The same order, written so that no index matches it (each part through concat(part, '')).

    For a few rows among many: the rows of a commune's schools are found by their school and
    sorted (a few thousand), where the planner would otherwise walk the country's name index,
    reading every pupil's row to test its school: page 40 of a commune's 11,347 pupils took 10 s
    that way among 12.9 million, 0.1 s sorted. A province's share is large enough for the walk."""
    return [Collate(Func(part(field), Value(""), function="concat", output_field=CharField()), VIETNAMESE)
            for part in (given_name, middle_name, family_name)]
