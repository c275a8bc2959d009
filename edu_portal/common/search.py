"""Search by name, code or personal ID number: one box, the right index for each kind of query."""
import re
import unicodedata

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.lookups import Contains

from .identity import normalize_name

_ID = re.compile(r"\d{9,12}")

# A name as searched: without diacritics or case ("Nguyễn Văn An" -> " nguyen van an"; đ -> d), after a
# space, so that a word's beginning is " word". unaccent is only STABLE (its dictionary could change), so
# an index needs this IMMUTABLE wrapper naming the dictionary; migrations create it (students 0012).
NAME_SEARCH_SQL = (
    "CREATE OR REPLACE FUNCTION vn_name_search(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT ' ' || lower(public.unaccent('public.unaccent'::regdictionary, name)) $$"
)


# The same folding of a name's head: every word but the last (the given name), with a space after it
# (" nguyen thi "; " " for a one-word name), and its words as a text-search vector (the 'simple'
# configuration: each word as it is). Its GIN index finds the pupils whose family or middle name holds
# the typed words, a word's beginning included ('trang:*'), apart from the many whose given name does
# (students.search). Schema-qualified: pg_restore rebuilds the index with an empty search_path.
NAME_HEAD_SEARCH_SQL = [
    "CREATE OR REPLACE FUNCTION vn_name_head_search(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT ' ' || lower(public.unaccent('public.unaccent'::regdictionary, "
    "left(name, length(name) - length(split_part(name, ' ', -1))))) $$",
    "CREATE OR REPLACE FUNCTION vn_name_head_words(name text) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT to_tsvector('pg_catalog.simple'::regconfig, public.vn_name_head_search(name)) $$",
]


def name_head_search(field: str = "full_name") -> Func:
    return Func(F(field), function="vn_name_head_search", output_field=TextField())


def name_head_words(field: str = "full_name") -> Func:
    return Func(F(field), function="vn_name_head_words", output_field=SearchVectorField())


def name_search(field: str = "full_name") -> Func:
    """The expression the name-search trigram index is built on: a filter must use it as it is."""
    return Func(F(field), function="vn_name_search", output_field=TextField())


def name_search_index(field: str, *, name: str) -> GinIndex:
    return GinIndex(OpClass(name_search(field), name="gin_trgm_ops"), name=name)


# Đ (and its look-alike Ð, U+00D0) have no decomposition; unaccent maps both to D.
_D = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def fold_name(text: str) -> str:
    """Python's twin of vn_name_search, without its leading space: "Nguyễn  Văn" -> "nguyen van"."""
    text = normalize_name(text).translate(_D)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def name_search_needle(value: str) -> Func:
    """Typed words folded in SQL by the index's own function (the needle of a Contains on name_search)."""
    return Func(Value(normalize_name(value)), function="vn_name_search", output_field=TextField())


def name_words_q(value: str, field: str = "full_name") -> Q:
    """Names holding the typed words, as typed or without diacritics and case, at a word's start:
    "nguyen van", "Nguyễn Văn" and "NGUYEN văn" find the same pupils ("Nguyễn Văn An", "Nguyễn Vân"),
    as "an" finds "An" and "Anh" but not "Lan". The pattern is folded by the same function in SQL, so
    both sides agree, and being a constant it lets the planner use the trigram index."""
    return Q(Contains(name_search(field), name_search_needle(value)))


def search_q(value: str, *, code_field: str, name_field: str = "full_name",
             id_field: str | None = "id_number") -> Q:
    value = normalize_name(value)
    if not value:
        return Q()
    if id_field and _ID.fullmatch(value):
        # A full ID number is an exact match (unique index); a code may also be all digits.
        return Q(**{id_field: value.zfill(12)}) | Q(**{code_field: value})
    return Q(**{code_field: value}) | name_words_q(value, name_field)
