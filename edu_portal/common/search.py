"""Search by name, code or personal ID number: one box, the right index for each kind of query."""
import re

from django.db.models import Q

from .identity import normalize_name

_ID = re.compile(r"\d{9,12}")


def search_q(value: str, *, code_field: str, name_field: str = "full_name",
             id_field: str | None = "id_number") -> Q:
    value = normalize_name(value)
    if not value:
        return Q()
    if id_field and _ID.fullmatch(value):
        # A full ID number is an exact match (unique index); a code may also be all digits.
        return Q(**{id_field: value.zfill(12)}) | Q(**{code_field: value})
    # Names: ILIKE served by the trigram index.
    return Q(**{code_field: value}) | Q(**{f"{name_field}__icontains": value})
