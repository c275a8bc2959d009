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


BATCH_SETTING = "edu_portal.audit_batch"


def batched_inserts(cursor) -> None:
    """Inside a transaction: the audit triggers record the rows each INSERT writes a batch to an event
    (audit migration 0007: the same who and when, every record's new row under its id) instead of one
    event per row. For the uploads' commit, which inserts pupils and enrollments by the ten thousand.
    LOCAL to the transaction, like bulk_statements."""
    cursor.execute("SELECT set_config(%s, 'on', true)", [BATCH_SETTING])
