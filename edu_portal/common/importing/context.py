"""What a row is validated against."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from edu_portal.common.models import current_school_year


@dataclass
class ImportContext:
    """What a row is validated against: who imports, for which school, and which year.

    Reference lists (the provinces, the communes) are looked up at most once per import through
    `reference(name, load)`: the importer that needs a list names its loader (geo, in the records
    apps), since the platform reads no app's tables. A caller may hand a list in ready-made in
    `references` (tests without a database).
    """

    scope: object                              # accounts.scope.Scope
    school: object | None = None               # schools.School the records belong to
    school_year: int = field(default_factory=lambda: current_school_year())
    today: dt.date = field(default_factory=lambda: timezone.localdate())  # Vietnam's date, not the server's
    references: dict = field(default_factory=dict, repr=False, compare=False)
    # The order of each date column's text dates ('dmy' or 'mdy'), decided from the whole file or answered by
    # the user (dates.py); a column not named is day-first, the national standard (the API, forms).
    date_orders: dict = field(default_factory=dict)

    # The stored values of the rows resolve() found CHANGED ({rownum: {stage column: value}}), for the
    # preview's old and new values; the upload engine takes them batch by batch.
    previous: dict = field(default_factory=dict, repr=False, compare=False)

    def date_order(self, key: str) -> str:
        return self.date_orders.get(key, "dmy")

    def reference(self, name: str, load: Callable[[], object]):
        try:
            return self.references[name]
        except KeyError:
            value = self.references[name] = load()
            return value
