# ruff: noqa: S608 - the SQL below is assembled from the metric names (dashboards.metrics) only; values are parameters.
"""The statements of an approval (reporting.services._approve), set-based for any number of schools: the reports
approved, the locks written, each school's statistics row frozen as its official figures, the events journaled."""
from __future__ import annotations

from dashboards.metrics import METRIC_NAMES
from dashboards.models import SchoolStats

# The figures frozen: every metric of the statistics row, as JSON: the whole row as JSON less the columns that are
# not metrics (one conversion per row; building the object metric by metric took half as long again).
# The level and ownership stay in: the official figures by level never move either (dashboards.official).
_KEPT = {*METRIC_NAMES, "level", "ownership"}
_NOT_METRICS = "ARRAY[" + ", ".join(f"'{f.column}'" for f in SchoolStats._meta.concrete_fields
                                    if f.name not in _KEPT) + "]"
_FIGURES = f"to_jsonb(st) - {_NOT_METRICS}"

_FREEZE_SQL = (
    "INSERT INTO reporting_officialfigures (submission_id, school_id, school_year, province_id, commune_id, figures,"
    f" frozen_at) SELECT s.id, st.school_id, st.school_year, st.province_id, st.commune_id, {_FIGURES}, %(now)s"
    " FROM reporting_submission s JOIN dashboards_schoolstats st ON st.school_id = s.school_id"
    " AND st.school_year = %(year)s WHERE s.id = ANY(%(subs)s)")

APPROVE_SQL = [
    "UPDATE reporting_submission SET status = 'approved', decided_at = %(now)s, decided_by_id = %(user)s,"
    " comment = %(comment)s, changed_after_approval = 0, updated_at = %(now)s WHERE id = ANY(%(subs)s)",
    "DELETE FROM reporting_reportinglock WHERE submission_id = ANY(%(subs)s)",
    "INSERT INTO reporting_reportinglock (submission_id, school_id, school_year, domain, approved_at, approved_by,"
    " period_kind) SELECT s.id, s.school_id, %(year)s, d, %(now)s, %(who)s, %(kind)s"
    " FROM reporting_submission s CROSS JOIN unnest(%(domains)s::text[]) AS d WHERE s.id = ANY(%(subs)s)",
    "DELETE FROM reporting_officialfigures WHERE submission_id = ANY(%(subs)s)",
    _FREEZE_SQL,
    "INSERT INTO reporting_submissionevent (submission_id, action, at, by_id, comment)"
    " SELECT id, 'approve', %(now)s, %(user)s::bigint, %(comment)s FROM unnest(%(subs)s::bigint[]) AS id",
]
