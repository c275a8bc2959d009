"""Which importer handles which kind of upload, and who may upload it.

The engine serves whatever the apps declare: every installed app with an `importers` module
holding `IMPORTERS` (kind -> RecordImporter) is found here, so a records app never names uploads.
"""
from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from edu_portal.common.importing import RecordImporter


@cache
def importers() -> dict[str, RecordImporter]:
    found: dict[str, RecordImporter] = {}
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.importers") is None:
            continue
        found.update(getattr(import_module(f"{config.name}.importers"), "IMPORTERS", {}))
    return found


def importer_for(kind: str) -> RecordImporter:
    return importers()[kind]


def kinds_for(scope) -> list[str]:
    """School administrators upload their school's records; province and ministry users may
    also upload schools (and a school's records on its behalf)."""
    kinds = ["pupils", "results", "physical", "staff", "sites", "facilities", "equipment"]
    return kinds if scope.kind == "school" else kinds + ["schools"]
