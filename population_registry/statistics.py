"""Population statistics of the mock registry: children by commune, single age and gender.

The truth is the file seed_demo writes (demo_population.population). It is read again whenever it
changes on disk, so a registry started before a new seed serves the new population without a
restart; a missing or unreadable file is "no statistics", never a crash.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from demo_population.population import Population, population_read

log = logging.getLogger(__name__)


class PopulationSource:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._population: Population | None = None

    def current(self) -> Population | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            self._stamp, self._population = None, None
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                self._population = population_read(self.path)
            except (OSError, ValueError, KeyError, EOFError) as exc:
                log.warning("population file %s unreadable: %s", self.path, exc)
                self._population = None
            self._stamp = stamp
        return self._population


def covers(population: Population, school_year: int) -> bool:
    """Every age of the year is in the file only for the seeded school years."""
    return population.first_year <= school_year <= population.last_year
