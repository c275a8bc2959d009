"""The official-figure pages cold at the size of the database (bench/reporting.py, part `pages`; issue 19): see
that module's docstring. A frozen period is needed: the current year's with the most frozen schools, or one opened
and frozen nationally here (left in the database for the next run)."""
from __future__ import annotations

import datetime as dt
import os
import time

from bench.dashboards import _before, _timed

PAGE_TARGET_MS = 20


def _frozen_period(out: dict):
    """The current year's period with the most frozen schools, or None (opened and frozen if allowed)."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.scope import Scope
    from bench.reporting import _submit
    from dashboards.official import periods_changed
    from edu_portal.common.models import current_school_year
    from reporting import services
    from reporting.models import ReportingPeriod

    year = current_school_year()
    found = (ReportingPeriod.objects.filter(school_year=year).annotate(frozen=Count("submissions__figures"))
             .filter(frozen__gt=0).order_by("-frozen", "pk").first())
    if found is not None:
        out["period"] = {"id": found.pk, "kind": found.kind, "frozen_schools": found.frozen, "reused": True}
        return found
    if os.environ.get("BENCH_REPORTING_FREEZE", "1") == "0":
        return None
    from django.db import connection, transaction

    today = timezone.localdate()
    taken = set(ReportingPeriod.objects.filter(school_year=year).values_list("kind", flat=True))
    # The approval part opens "end" first (rolled back): take another kind, so that both run next time.
    kind = next((k for k in ("start", "semester_1", "end") if k not in taken), None)
    if kind is None:
        return None
    with transaction.atomic():
        # No domain: the frozen figures are what the pages read; no school's data is locked by leaving it.
        period = ReportingPeriod.objects.create(school_year=year, kind=kind, domains=[], opens_on=today,
                                                closes_on=today, expires_on=today + dt.timedelta(days=1))
        periods_changed()  # opened directly, as services.period_create would say it: the pickers offer it
        with connection.cursor() as cursor:
            submitted = _submit(cursor, period.pk, None)
    started = time.perf_counter()
    done = services.period_freeze_national(scope=Scope.country(), user=None, period_id=period.pk,
                                           comment="bench: official pages")
    out["period"] = {"id": period.pk, "kind": kind, "frozen_schools": done["approved"], "submitted": submitted,
                     "reused": False, "national_freeze_s": round(time.perf_counter() - started, 1)}
    return period


def pages(quick: bool) -> dict:
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Role, User
    from accounts.scope import PROVINCE, Scope
    from dashboards import cache
    from dashboards.models import SchoolStats
    from dashboards.official import OFFICIAL_METRICS, official_version_bump
    from reporting import selectors

    out: dict = {}
    period = _frozen_period(out)
    if period is None:
        return {"status": "skipped", "reason": "no frozen period of the current year", **out}
    n = int(os.environ.get("BENCH_PAGE_ITERATIONS", 40 if quick else 200))
    out["iterations"] = n
    year = period.school_year
    rows = SchoolStats.objects.filter(school_year=year)
    province = (rows.values("province_id").annotate(n=Count("school_id")).order_by("-n", "province_id")
                .values_list("province_id", flat=True).first())
    commune = (rows.filter(province_id=province).values("commune_id").annotate(n=Count("school_id")).order_by("-n", "commune_id")
               .values_list("commune_id", flat=True).first())
    school = (rows.filter(commune_id=commune).order_by("-pupils", "school_id").values_list("school_id", flat=True)
              .first())
    out.update({"province": province, "commune": commune, "school": school})

    user, created = User.objects.get_or_create(username="bench_ministry", defaults={"role": Role.MINISTRY})
    if created:
        user.set_unusable_password()  # signed in by force_login only
        user.save(update_fields=["password"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return call

    # What makes a request cold (new versions, as after a refresh or an approval) runs before it, untimed.
    def official_cold(fn):
        return _before(fn, official_version_bump)

    def all_cold(fn):
        return _before(fn, cache.stats_version_bump, official_version_bump)

    def live_cold(fn):
        return _before(fn, cache.stats_version_bump)

    urls = {"overview": "/dashboards/", "province": f"/dashboards/provinces/{province}/",
            "commune": f"/dashboards/communes/{commune}/", "school": f"/dashboards/schools/{school}/",
            "api_overview": "/api/v1/stats/overview/", "api_provinces": "/api/v1/stats/provinces/"}
    for name, url in urls.items():
        with_period = f"{url}?period={period.pk}"
        get(with_period)()  # compiled templates, connections
        out[f"{name}_official_cold"] = _timed(official_cold(get(with_period)), n)
        out[f"{name}_all_cold"] = _timed(all_cold(get(with_period)), n)
        out[f"{name}_live_cold"] = _timed(live_cold(get(url)), n)

    # The official sums alone: from the rollup (now) and from the frozen rows (before it).
    country, metrics = Scope.country(), list(OFFICIAL_METRICS)
    filters = {"school_year": year}
    for name, scope, chosen, groups in (
            ("national", country, filters, ("province", "level", "ownership")),
            ("province", Scope(PROVINCE, province_code=province), filters | {"province": province},
             ("commune", "level", "ownership"))):
        args = {"scope": scope, "period": period.pk, "school_year": year, "filters": chosen, "groups": groups,
                "metrics": metrics}
        rollup = selectors._rollup_sums(**args)
        frozen = selectors._frozen_sums(**args)
        out[f"sums_{name}_equal"] = rollup == frozen  # a benchmark of wrong numbers would be worthless
        out[f"sums_{name}_rollup"] = _timed(lambda a=args: selectors._rollup_sums(**a), n)
        out[f"sums_{name}_frozen_rows"] = _timed(lambda a=args: selectors._frozen_sums(**a), max(5, n // 20))
    out["page_p95_target_ms"] = PAGE_TARGET_MS
    out["official_cold_p95_within_target"] = all(
        out[f"{name}_official_cold"]["p95_ms"] <= PAGE_TARGET_MS for name in urls)
    out["load_average_1_5_15"] = [round(x, 1) for x in os.getloadavg()]
    return out
