"""Writes refused because a reporting period was approved (issue 19), as the platform sees them.

The reporting app (a feature) keeps the locks; the database enforces them with statement triggers on the
records' tables (reporting/locks.py), so that no door (form, upload, API, bulk, shell) can forget the check.
The trigger raises an error carrying `LOCKED_MARKER` and the lock's facts as JSON; every connection gets an
execute wrapper (installed in CommonConfig.ready) that turns it into an AppError with the precise reason in
the reader's language, so the records' services, views and tasks handle it like any user-fixable error.

`bypass(cursor)`: the year-end and the rollover write a locked year's rows without changing its figures (they
close completions after the last day of teaching, counted as of 30 May: dashboards.metrics.AS_OF) and the
next year's rows; they set this for their transaction only.
"""
from __future__ import annotations

import json

from django.db import DatabaseError
from django.db.backends.signals import connection_created
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .exceptions import AppError

LOCKED_MARKER = "edu_portal_period_locked"
BYPASS_SETTING = "edu_portal.period_lock_bypass"

# The same labels as reporting.models.Domain (a feature's choices, which the platform may not import).
DOMAIN_LABELS = {
    "enrollment": gettext_noop("Học sinh và lớp"), "staff": gettext_noop("Cán bộ, giáo viên"),
    "results": gettext_noop("Kết quả học tập"), "physical": gettext_noop("Số đo thể lực"),
    "facilities": gettext_noop("Cơ sở vật chất"),
}
# reporting.models.PeriodKind's labels, likewise.
PERIOD_LABELS = {"start": gettext_noop("Đầu năm học"), "semester_1": gettext_noop("Cuối học kỳ I"),
                 "end": gettext_noop("Cuối năm học")}


def bypass(cursor) -> None:
    cursor.execute("SELECT set_config(%s, 'on', true)", [BYPASS_SETTING])


def locked_error(exc: BaseException) -> AppError | None:
    """The AppError for a write the lock triggers refused, or None for any other database error."""
    cause = getattr(exc, "__cause__", None) or exc
    diag = getattr(cause, "diag", None)
    if diag is None or diag.message_primary != LOCKED_MARKER:
        return None
    facts = json.loads(diag.message_detail or "{}")
    at = (facts.get("approved_at") or "")[:16].replace("T", " ")
    message = _("Không thể sửa: dữ liệu \"%(domain)s\" năm học %(year)s của trường %(school)s đã được %(by)s duyệt"
                " lúc %(at)s trong kỳ \"%(period)s\". Muốn sửa, hãy đề nghị Sở Giáo dục và Đào tạo cho phép ngoại lệ.") % {
        "domain": _(DOMAIN_LABELS.get(facts.get("domain"), facts.get("domain", ""))),
        "year": (year := f"{facts.get('school_year')}-{int(facts.get('school_year') or 0) + 1}"),
        "school": facts.get("school_code", ""), "by": facts.get("approved_by", ""), "at": at,
        "period": f"{_(PERIOD_LABELS.get(facts.get('period_kind'), facts.get('period_kind', '')))} {year}"}
    return AppError(message, code="period_locked", status_code=409,
                    details={"lock": {k: facts.get(k) for k in ("school_code", "school_year", "domain", "period_kind",
                                                               "approved_by", "approved_at")}})


def _translate(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except DatabaseError as exc:
        error = locked_error(exc)
        if error is None:
            raise
        raise error from exc


def _install(sender, connection, **kwargs) -> None:
    if _translate not in connection.execute_wrappers:
        connection.execute_wrappers.append(_translate)


def register() -> None:
    connection_created.connect(_install, dispatch_uid="period_locks")
