"""Running the validation rules of a period over schools, and their follow-up (issue 19).

`checks_run(period=, school_ids=)` runs every rule of the period's domains for the schools (one query per rule
for all of them) and keeps one CheckResult per school and failing rule: a failure found again keeps its
explanation; one no longer found is marked corrected. A rule that fails to run on odd data (an error in its
query) is recorded as such for the schools, in its own savepoint: it neither blocks the school nor stops the
other rules. Writes: this module is a service of the reporting app."""
from __future__ import annotations

import logging

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from schools.models import School

from .models import CheckResult, CheckStatus, ReportingPeriod
from .rules import RULES

logger = logging.getLogger(__name__)
ITEMS_KEPT = 50


def _failures(rule, period: ReportingPeriod, school_ids: list[int]) -> dict[int, list[dict]]:
    with connection.cursor() as cursor:
        cursor.execute(rule.sql, {"schools": school_ids, "year": period.school_year})
        found: dict[int, list[dict]] = {}
        for school_id, item, value, limit in cursor.fetchall():
            found.setdefault(school_id, []).append({"item": item, "value": None if value is None else str(value),
                                                    "limit": str(limit)})
    return found


@transaction.atomic
def checks_run(*, period: ReportingPeriod, school_ids: list[int]) -> dict[int, list[CheckResult]]:
    ids = sorted({int(i) for i in school_ids})
    now = timezone.now()
    existing = {(c.school_id, c.rule): c for c in
                CheckResult.objects.select_for_update().filter(period=period, school_id__in=ids)}
    seen: set[tuple[int, str]] = set()
    for rule in RULES:
        if rule.domain not in period.domains:
            continue
        try:
            with transaction.atomic():
                found = _failures(rule, period, ids)
        except DatabaseError:
            logger.exception("check %s failed to run for %d schools", rule.code, len(ids))
            found, failed = {}, True
        else:
            failed = False
        for school_id in (ids if failed else found):
            key = (school_id, rule.code)
            seen.add(key)
            items = [] if failed else found[school_id]
            check = existing.get(key) or CheckResult(period=period, school_id=school_id, rule=rule.code)
            check.blocking = rule.blocking and not failed
            check.items, check.failing, check.checked_at = items[:ITEMS_KEPT], len(items), now
            if failed:
                check.status = CheckStatus.ERROR
            elif check.status != CheckStatus.EXPLAINED or check.blocking:
                check.status = CheckStatus.OPEN
            check.save()
            existing[key] = check
    for key, check in existing.items():
        if key not in seen and check.status != CheckStatus.CORRECTED:
            check.status, check.checked_at = CheckStatus.CORRECTED, now
            check.save(update_fields=["status", "checked_at"])
    by_school: dict[int, list[CheckResult]] = {i: [] for i in ids}
    for (school_id, _rule), check in existing.items():
        by_school[school_id].append(check)
    return by_school


def checks_run_in_scope(*, scope: Scope, period: ReportingPeriod, school_id: int) -> list[CheckResult]:
    """A school (or the province or ministry above it) runs the period's checks on one school of its scope."""
    school = School.objects.filter(pk=school_id).only("id", "province_id").first()
    if school is None or not scope.contains_school(school):
        raise NotInScope()
    return checks_run(period=period, school_ids=[school.pk])[school.pk]


def blocking_open(checks: list[CheckResult]) -> list[CheckResult]:
    return [c for c in checks if c.blocking and c.status == CheckStatus.OPEN]


@transaction.atomic
def check_explain(*, scope: Scope, user, check_id: int, note: str) -> CheckResult:
    """The school explains a warning (the figure is right: a small school, a new class); a blocking rule
    cannot be explained away, only corrected."""
    check = CheckResult.objects.select_for_update().select_related("school").filter(pk=check_id).first()
    if check is None or not scope.contains_school(check.school):
        raise NotInScope()
    if not (note or "").strip():
        raise AppError(_("Hãy ghi nội dung giải trình."), code="invalid", details={"note": [_("Bắt buộc.")]})
    if check.blocking:
        raise AppError(_("Lỗi chặn không giải trình được: hãy sửa dữ liệu rồi kiểm tra lại."), code="blocking",
                       status_code=409)
    check.status, check.note, check.noted_by = CheckStatus.EXPLAINED, note.strip(), user
    check.save(update_fields=["status", "note", "noted_by"])
    return check
