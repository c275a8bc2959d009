"""Signals the platform sends for the apps above it, which it may not import.

id_numbers_shown: a response shows records' full ID numbers (personal data, Nghị định 13/2023/NĐ-CP):
the audit app records it (audit/apps.py connects the receiver). Sent with `sender` the model and
keyword arguments `request`, `scope`, `records` (objects with `pk` and `id_number`) and `exported`
(True for a CSV export). A receiver that fails fails the response: the trail is not optional.

record_deleted: a record was deleted and its tombstone written (edu_portal.common.tombstones), with
keyword argument `tombstone` (a DeletedRecord: kind, record_id, code, reason). The audit app records
who deleted it and why, in the deleting transaction.
"""
from django.dispatch import Signal

id_numbers_shown = Signal()
record_deleted = Signal()

events_emitted = Signal()
"""events_emitted: something a client system may subscribe to happened (edu_portal.common.events): sent by
the services inside the writing transaction with keyword argument `events` (a list of Event). The webhooks
app writes its outbox rows in that transaction, so an event commits or rolls back with the change."""
