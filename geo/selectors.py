"""Reads on the administrative units (reference data, loaded by geo/services.py)."""
from __future__ import annotations

from .models import Commune, Province


def province_codes() -> frozenset[str]:
    return frozenset(Province.objects.values_list("code", flat=True))


def commune_provinces() -> dict[str, str]:
    """Commune code -> its province's code."""
    return dict(Commune.objects.values_list("code", "province_id"))
