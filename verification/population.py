"""The population statistics of the registry, stored for the enrolment ratios (issue 17).

GER, NER and the intake rate divide pupils by the children of the ages living in an area; the
national population database (CSDL quốc gia về dân cư) publishes them by commune, single age and
gender. The portal asks for each recent school year and keeps the counts in geo.PopulationCount,
a year at a time (geo.services.population_counts_replace): figures the registry has no statistics
for are left as they were. Asked daily (beat) and after seed_demo; never while a user waits.
"""
from __future__ import annotations

import logging

from edu_portal.common.models import current_school_year
from geo.services import population_counts_replace

from .registry_client import RegistryClient

log = logging.getLogger(__name__)
# The school years asked for: the current one and those the trends show before it.
YEARS_BACK = 4


def population_years_default() -> list[int]:
    current = current_school_year()
    return list(range(current - YEARS_BACK, current + 1))


def population_fetch(*, school_years: list[int] | None = None, client: RegistryClient | None = None) -> dict[int, int]:
    """Fetch and store the counts of `school_years` (default: the recent ones). Returns {year: rows
    stored} for the years the registry has statistics for. Registry errors propagate (the task
    retries); a year already stored stays until its new figures are complete."""
    client = client or RegistryClient()
    stored = {}
    for year in school_years or population_years_default():
        answer = client.population_statistics(school_year=year)
        if answer is None:
            log.info("population %s: the registry has no statistics for this year", year)
            continue
        stored[year] = population_counts_replace(school_year=year, rows=answer.get("rows") or [])
        log.info("population %s: %s counts stored", year, stored[year])
    return stored
