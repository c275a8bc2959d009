"""Bulk statements of the system, audited as one event each (audit migration 0006).

The audit triggers copy every written row into the trail; a statement that writes a row for every pupil
of the country (the turn of the school year) would copy 24 million, though the writer keeps its own
journal of them row by row (students_yearenddecision: who, when, which enrollment). Inside a transaction,
`bulk_statements(cursor, journal)` tells the triggers to record each statement as one event naming that
journal instead. LOCAL to the transaction: it ends with it, commit or rollback. Only server code calls
it; nothing a request carries can set it.
"""
from __future__ import annotations

SETTING = "edu_portal.audit_bulk"


def bulk_statements(cursor, journal: str) -> None:
    cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, journal[:200]])
