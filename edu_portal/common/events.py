"""Events client systems may subscribe to (webhooks, issue 20), named here so that the services emitting them
never import the webhooks app above them.

A service calls `events_emit([...])` inside its transaction; the signal `events_emitted` reaches the webhooks
app, which writes its outbox rows in the same transaction (an event is never lost to a crash after the commit,
nor sent for a change rolled back). With no subscription, nothing is written.

An event carries keys, never personal data: the record's id and natural key (pupil code, staff code, school
code), the schools and provinces it concerns (the scope filter) and a few ids; the receiver fetches the record
through the API, which applies its token's scope and ID-number masking.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .signals import events_emitted

# type: what a subscriber names. Kept short and stable: clients switch on them.
EVENT_TYPES = (
    "student.created", "student.updated", "student.deleted",
    "staff.created", "staff.updated", "staff.deleted",
    "school.created", "school.updated", "school.deleted",
    "transfer.requested",
    "period.approved",  # a school's report of a reporting period approved by its province (figures frozen)
    "period.accepted",  # a province's figures of a period accepted by the ministry
)


@dataclass(frozen=True)
class Event:
    type: str
    data: dict
    # Where it happened: (school id, province code) pairs; a token receives the event when its scope covers
    # one of them (accounts.Scope.covers). A province-wide event names no school: (None, "01").
    places: tuple[tuple[int | None, str | None], ...] = field(default=())


def record_event(kind: str, action: str, *, record_id: int, key: str, school_id: int | None,
                 school_code: str | None, province_id: str | None, changed: list[str] | None = None,
                 left: tuple[int, str] | None = None) -> Event:
    """`<kind>.<action>` of one pupil, staff member or school, as keys (and the names of the fields changed).
    `left`: the (school id, province) a pupil or staff member moved away from, told too (its system drops them)."""
    data = {"kind": kind, "id": record_id, "key": key,
            "school": {"id": school_id, "code": school_code}, "province": province_id}
    if changed is not None:
        data["changed"] = sorted(changed)
    places = ((school_id, province_id),) + ((left,) if left else ())
    return Event(type=f"{kind}.{action}", data=data, places=places)


def transfer_requested_event(*, transfer_id: int, student_id: int, pupil_code: str, from_school,
                             to_school) -> Event:
    """A receiving school asked for a pupil: both schools' systems hear of it (the sending one answers it)."""
    data = {"kind": "transfer", "id": transfer_id, "student": {"id": student_id, "key": pupil_code},
            "from_school": {"id": from_school.pk, "code": from_school.code},
            "to_school": {"id": to_school.pk, "code": to_school.code}}
    return Event(type="transfer.requested", data=data,
                 places=((from_school.pk, from_school.province_id), (to_school.pk, to_school.province_id)))


def period_events(action: str, *, period, schools: list[tuple[int, str, str]] = (),
                  provinces: list[str] = ()) -> list[Event]:
    """`period.approved` for each (school id, code, province) whose report was approved, `period.accepted` for
    each province whose figures the ministry accepted."""
    head = {"kind": "period", "period": {"id": period.pk, "kind": period.kind, "school_year": period.school_year}}
    if action == "approved":
        return [Event(type="period.approved", data={**head, "school": {"id": school_id, "code": code},
                                                    "province": province},
                      places=((school_id, province),)) for school_id, code, province in schools]
    return [Event(type="period.accepted", data={**head, "province": code}, places=((None, code),))
            for code in provinces]


def events_emit(events: list[Event]) -> None:
    """Announce `events`, inside the caller's transaction."""
    if events:
        events_emitted.send(sender=Event, events=list(events))
