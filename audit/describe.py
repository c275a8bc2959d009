"""The trail in words, for people: which record (by name), who (by name, a task by what it does), and
each changed field by its label with its values as the pages show them (choices by label, dates
dd/mm/yyyy, a foreign key by the name of what it points to, Có/Không).

Reads only, a page of events at a time: one query per kind of record named on the page, not one per
event. ID numbers are never shown in full here (see MASKED below).
"""
from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from edu_portal.common.identity import FIELD_LABELS as IDENTITY_FIELDS
from edu_portal.common.identity import mask_digits, mask_id_number

from .labels import FIELD_LABELS, KIND_LABELS, TASK_WORDS
from .models import Action, AuditEvent, Door
from .selectors import batch_rows

# Full ID numbers are never shown by the trail's pages, whoever reads them: the trail tells who changed or
# saw a number, and the number itself is on the record's page (where showing it is recorded). Showing it
# here would make the trail a second, unrecorded way to read numbers (of deleted records too). Free texts
# are masked as well (mask_digits), since a reason or an error message may quote a number.
MASKED = ("id_number",)
# Columns that say nothing to a reader of a record's insert or delete.
NOISE = {"id", "created_at", "updated_at", "verification_attempts", "verification_checked_at", "id_number_hold",
         "folded"}
# How many records a list's showing of ID numbers names on the page before "and N others".
NAMED_IN_A_LIST = 3
EMPTY = "—"

# The pages of records named by the trail (only those that have one).
DETAIL_URLS = {"students.student": "students:detail", "teachers.staffmember": "teachers:detail",
               "schools.school": "schools:detail"}
# A related record is named through the pupil or staff member it belongs to (its `student` or `staff`).
OWNERS = ("student", "staff")
# Kinds of records written to the trail besides audit.models.AUDITED_MODELS (their triggers are installed by
# their own app's migrations: teachers/migrations/0007_staff_reassignments.py).
MORE_AUDITED = ("teachers.staffposting", "teachers.staffreassignment")
_TASK = re.compile(r"^(?P<name>[\w.]+?)(?:#(?P<subject>\d+))?$")


@dataclass
class Change:
    label: str
    before: str = ""
    after: str = ""


@dataclass
class EventView:
    """One event as a person reads it (the template shows these, never the raw before/after)."""

    event: AuditEvent
    record: str = ""          # "Học sinh Nguyễn Văn A (HS0001234)"
    record_url: str = ""
    kind: str = ""            # "Học sinh"
    action: str = ""          # "Sửa", "Thêm mới", ...
    actor: str = ""           # "Nguyễn Văn A" / "Tải lên #123"
    actor_detail: str = ""    # "(t_school_a)" / "thay mặt Nguyễn Văn A"
    actor_url: str = ""
    changes: list[Change] = field(default_factory=list)  # updates: what changed; inserts, deletes: the row
    count: int = 0            # records named by a batch or a list's showing of numbers
    names: list[str] = field(default_factory=list)


def kind_label(model_label: str) -> str:
    """"Học sinh", "Cán bộ, giáo viên", ...: the record's kind (model verbose name), translated."""
    if model_label in KIND_LABELS:
        return str(KIND_LABELS[model_label])
    try:
        return label_text(str(apps.get_model(model_label)._meta.verbose_name))
    except (LookupError, ValueError):
        return model_label


def label_text(text: str) -> str:
    return _(capfirst(text))


def field_label(model, column: str) -> str:
    """A column of the trail's JSON (the database column: school_id) by its field's label, translated."""
    if column in FIELD_LABELS:
        return str(FIELD_LABELS[column])
    fields = _fields_by_column(model)
    if column in fields:
        return label_text(str(fields[column].verbose_name))
    return column


def _fields_by_column(model) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.column: f for f in model._meta.concrete_fields}


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def describe(events: list[AuditEvent]) -> list[EventView]:
    """A page of events in words."""
    names = _Names()
    for e in events:
        names.want(e.model, _record_ids(e)[:NAMED_IN_A_LIST])
        model = _model(e.model)
        for values in _value_sets(e):
            for column, value in values.items():
                target = _fk_target(model, column)
                if target is not None and value not in (None, ""):
                    names.want(target, [value])
    names.want("accounts.user", [e.actor_id for e in events if e.actor_id is not None])
    names.fetch()
    return [_view(e, names) for e in events]


def _record_ids(e: AuditEvent) -> list[int]:
    if e.record_id is not None:
        return [e.record_id]
    return list(e.record_ids or [])


def _value_sets(e: AuditEvent) -> list[dict]:
    rows = batch_rows(e)
    if rows is not None:
        return list(rows.values())[:NAMED_IN_A_LIST]
    return [v for v in (e.before, e.after) if isinstance(v, dict)]


def _fk_target(model, column: str) -> str | None:
    f = _fields_by_column(model).get(column)
    if f is None or not f.is_relation or f.related_model is None:
        return None
    return f.related_model._meta.label_lower


def _view(e: AuditEvent, names: _Names) -> EventView:
    model = _model(e.model)
    view = EventView(event=e, kind=kind_label(e.model) if e.model != "common.deletedrecord" else _("Lý do xoá"),
                     action=str(Action(e.action).label) if e.action in Action.values else e.action)
    ids = _record_ids(e)
    view.count = len(ids)
    if e.model == "common.deletedrecord":
        view.record = _deleted_reason_name(e)
    elif len(ids) == 1:
        view.record = names.name(e.model, ids[0], fallback=e.before or e.after)
        view.record_url = _url(e.model, ids[0]) if names.exists(e.model, ids[0]) else ""
    elif ids:
        view.names = [names.name(e.model, pk) for pk in ids[:NAMED_IN_A_LIST]]
        view.record = ngettext("%(n)s hồ sơ %(kind)s", "%(n)s hồ sơ %(kind)s", len(ids)) % {
            "n": f"{len(ids):,}".replace(",", "."), "kind": view.kind.lower()}
    _describe_actor(view, e, names)
    if e.action == Action.UPDATE:
        for column in e.changed_fields or sorted(set(e.before or {}) | set(e.after or {})):
            view.changes.append(Change(field_label(model, column),
                                       value_text(model, column, (e.before or {}).get(column), names),
                                       value_text(model, column, (e.after or {}).get(column), names)))
    elif e.action in (Action.INSERT, Action.DELETE) and e.model != "common.deletedrecord" and len(ids) == 1:
        rows = batch_rows(e)
        values = (rows or {}).get(str(ids[0])) if rows is not None else (
            e.after if e.action == Action.INSERT else e.before)
        for column, value in _in_field_order(model, values or {}):
            text = value_text(model, column, value, names)
            if text != EMPTY:
                view.changes.append(Change(field_label(model, column), after=text))
    elif e.model == "common.deletedrecord":
        reason = (e.before or {}).get("reason") or ""
        view.changes.append(Change(_("Lý do xoá"), after=mask_digits(reason) or EMPTY))
    return view


def _in_field_order(model, values: dict) -> list[tuple[str, object]]:
    order = {column: i for i, column in enumerate(_fields_by_column(model))}
    return sorted(((c, v) for c, v in values.items() if c not in NOISE), key=lambda cv: order.get(cv[0], 999))


def _deleted_reason_name(e: AuditEvent) -> str:
    before = e.before or {}
    kind = {"student": kind_label("students.student"), "staff": kind_label("teachers.staffmember"),
            "school": kind_label("schools.school")}.get(before.get("kind"), before.get("kind") or "")
    return _("%(kind)s mã %(code)s (đã xoá)") % {"kind": kind, "code": before.get("code") or before.get("record_id")}


def _url(model_label: str, pk: int) -> str:
    name = DETAIL_URLS.get(model_label)
    if name is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def value_text(model, column: str, value, names: _Names | None = None) -> str:
    """One value of the trail in words, as the record's page would show it."""
    if value is None or value == "":
        return EMPTY
    if column in MASKED:
        return mask_id_number(str(value))
    if column == "verification_mismatch_fields":  # the fields the registry disagreed on, by their names
        names = value if isinstance(value, list) else _plain(value).split(", ")
        return ", ".join(IDENTITY_FIELDS.get(name, name) for name in names if name) or EMPTY
    f = _fields_by_column(model).get(column)
    if f is None:
        return mask_digits(_plain(value)) or EMPTY
    if f.is_relation and names is not None and f.related_model is not None:
        return names.name(f.related_model._meta.label_lower, value)
    if f.choices:
        labels = {str(k): v for k, v in f.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(f, models.BooleanField):
        return _("Có") if value in (True, "t", "true", "True") else _("Không")
    if isinstance(f, models.DateTimeField):
        moment = parse_datetime(str(value).replace(" ", "T", 1)) if isinstance(value, str) else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    elif isinstance(f, models.DateField):
        day = parse_date(str(value)[:10]) if isinstance(value, str) else None
        if day is not None:
            return day.strftime("%d/%m/%Y")
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)) and not isinstance(value, (dict, list)):
        return str(value)
    if isinstance(f, models.JSONField) and isinstance(value, str):  # a batch row's column is JSON as text
        try:
            value = json.loads(value)
        except ValueError:
            pass
    return mask_digits(value if isinstance(value, str) else _plain(value)) or EMPTY


def _plain(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):  # an array as PostgreSQL text
        return ", ".join(part.strip('"') for part in value[1:-1].split(",") if part)
    return str(value)


def _describe_actor(view: EventView, e: AuditEvent, names: _Names) -> None:
    user = names.user(e.actor_id) if e.actor_id is not None else None
    if e.door in (Door.TASK, Door.UPLOAD) and e.actor and e.actor != getattr(user, "username", None):
        view.actor = task_words(e.actor)
        if user is not None:
            view.actor_detail = _("thay mặt %(name)s") % {"name": _person(user)}
        match = _TASK.match(e.actor)
        if match and match["subject"] and match["name"].startswith("uploads.tasks."):  # an upload (a bulk job has no page)
            view.actor_url = _url_or_blank("uploads:detail", int(match["subject"]))
        return
    if user is not None:
        view.actor, view.actor_detail = _person(user), user.username
        return
    if e.actor.startswith("shell:"):
        view.actor, view.actor_detail = _("Dòng lệnh trên máy chủ"), e.actor.split(":", 1)[1]
    elif e.actor.startswith("db:"):
        view.actor, view.actor_detail = _("Trực tiếp trên cơ sở dữ liệu"), e.actor.split(":", 1)[1]
    else:
        view.actor = e.actor or EMPTY


def _url_or_blank(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _person(user) -> str:
    return user.get_full_name() or user.username


def task_words(actor: str) -> str:
    """"uploads.tasks.upload_commit_task#123" -> "Tải lên #123"; an unknown task: "Tác vụ nền (its name)"."""
    match = _TASK.match(actor)
    if match is None:
        return actor
    words = TASK_WORDS.get(match["name"])
    if words is None:
        prefixes = [p for p in TASK_WORDS if p.endswith((".", "_")) and match["name"].startswith(p)]
        words = TASK_WORDS[max(prefixes, key=len)] if prefixes else None
    if words is None:
        return _("Tác vụ nền (%(name)s)") % {"name": match["name"]}
    return f"{words} #{match['subject']}" if match["subject"] else str(words)


class _Names:
    """Names of the records a page of events mentions, fetched once per kind of record."""

    def __init__(self) -> None:
        self.wanted: dict[str, set] = defaultdict(set)
        self.found: dict[str, dict] = defaultdict(dict)

    def want(self, label: str, ids) -> None:
        for pk in ids:
            key = _key(label, pk)
            if key is not None:
                self.wanted[label].add(key)

    def fetch(self) -> None:
        for label, ids in self.wanted.items():
            model = _model(label)
            if model is None or not ids:
                continue
            queryset = model._base_manager.filter(pk__in=ids)
            owners = [f.name for f in model._meta.concrete_fields if f.name in OWNERS and f.is_relation]
            if owners:
                queryset = queryset.select_related(*owners)
            self.found[label] = {obj.pk: obj for obj in queryset}

    def exists(self, label: str, pk) -> bool:
        return _key(label, pk) in self.found.get(label, {})

    def user(self, pk) -> User | None:
        return self.found.get("accounts.user", {}).get(_key("accounts.user", pk))

    def name(self, label: str, pk, *, fallback: dict | None = None) -> str:
        obj = self.found.get(label, {}).get(_key(label, pk))
        if obj is None:
            return _gone_name(label, pk, fallback or {})
        return record_name(label, obj)


def _key(label: str, value):
    """A primary key as its model holds it (a province's is its code, "01"; most are numbers)."""
    model = _model(label)
    if model is None:
        return None
    try:
        return model._meta.pk.to_python(value)
    except (TypeError, ValueError, ValidationError):
        return None


def record_name(label: str, obj) -> str:
    """"Học sinh Nguyễn Văn A (HS0001234)": a record by its kind and the name and code its pages use."""
    kind = kind_label(label)
    if label == "students.student":
        return f"{kind} {obj.full_name} ({obj.pupil_code})"
    if label == "teachers.staffmember":
        return f"{kind} {obj.full_name} ({obj.staff_code})"
    if label == "schools.school":
        return f"{obj.name} ({obj.code})"
    if label == "accounts.user":
        return f"{_person(obj)} ({obj.username})" if obj.get_full_name() else obj.username
    owner = next((getattr(obj, name) for name in OWNERS if hasattr(obj, f"{name}_id")), None)
    if owner is not None:
        return _("%(kind)s của %(name)s (%(code)s)") % {
            "kind": kind, "name": owner.full_name, "code": getattr(owner, "pupil_code", "") or owner.staff_code}
    if label.startswith("geo."):
        return str(getattr(obj, "name", obj))
    name = getattr(obj, "name", None)
    return f"{kind} {name}" if name else f"{kind} #{obj.pk}"


def _gone_name(label: str, pk, values: dict) -> str:
    """A record no longer there (deleted): named from the values the trail kept, if any."""
    kind = kind_label(label)
    name = values.get("full_name") or values.get("name")
    code = values.get("pupil_code") or values.get("staff_code") or values.get("code")
    if name and code:
        return _("%(kind)s %(name)s (%(code)s, đã xoá)") % {"kind": kind, "name": name, "code": code}
    if label.startswith("geo."):
        return str(pk)
    return _("%(kind)s #%(id)s (không còn)") % {"kind": kind, "id": pk}
