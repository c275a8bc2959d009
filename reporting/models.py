"""Official figures (issue 19): reporting periods, each school's submission of a period, its approval by the
province and the ministry's acceptance of the province, and the locks that approval puts on the school's data.

A lock is a row of `ReportingLock` per approved submission and kind of data (domain): the database refuses a
write on a locked school's rows of that year and domain (triggers installed by migration 0002, reporting.locks),
whichever door the write comes through (form, upload, API, bulk), with the precise reason.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from dashboards.metrics import METRIC_NAMES


class PeriodKind(models.TextChoices):
    START = "start", _("Đầu năm học")
    SEMESTER_1 = "semester_1", _("Cuối học kỳ I")
    END = "end", _("Cuối năm học")


class Domain(models.TextChoices):
    """The kinds of data a period asks for; each is a set of tables locked together (reporting.locks.TABLES)."""

    ENROLLMENT = "enrollment", _("Học sinh và lớp")
    STAFF = "staff", _("Cán bộ, giáo viên")
    RESULTS = "results", _("Kết quả học tập")
    PHYSICAL = "physical", _("Số đo thể lực")
    FACILITIES = "facilities", _("Cơ sở vật chất")


# What each kind of period asks for, by default (the ministry may choose otherwise per period).
DEFAULT_DOMAINS = {
    PeriodKind.START: [Domain.ENROLLMENT, Domain.STAFF, Domain.FACILITIES],
    PeriodKind.SEMESTER_1: [Domain.ENROLLMENT, Domain.RESULTS],
    PeriodKind.END: [Domain.ENROLLMENT, Domain.STAFF, Domain.RESULTS, Domain.PHYSICAL, Domain.FACILITIES],
}


class ReportingPeriod(models.Model):
    school_year = models.PositiveSmallIntegerField(_("năm học"))
    kind = models.CharField(_("kỳ"), max_length=12, choices=PeriodKind.choices)
    domains = ArrayField(models.CharField(max_length=12, choices=Domain.choices), verbose_name=_("nội dung báo cáo"))
    opens_on = models.DateField(_("mở từ ngày"))
    closes_on = models.DateField(_("hạn nộp"))
    # After this day nothing more is submitted or approved in the period (it is over, not late).
    expires_on = models.DateField(_("hết hạn"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "kind"], name="one_period_per_year_kind"),
            models.CheckConstraint(condition=models.Q(opens_on__lte=models.F("closes_on"))
                                   & models.Q(closes_on__lte=models.F("expires_on")), name="period_dates_in_order"),
        ]
        ordering = ["-school_year", "opens_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.school_year}-{self.school_year + 1}"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Submission(models.Model):
    """A school's report for a period. No row: not submitted yet."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="submissions")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=10, choices=SubmissionStatus.choices)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The first submission's time decides "on time"; a resubmission after a return keeps it.
    first_submitted_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(_("duyệt/trả lúc"), null=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("ý kiến"), blank=True)
    # Rows written under an exception after approval: the figures need approving again.
    changed_after_approval = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("báo cáo của trường")
        verbose_name_plural = _("báo cáo của trường")
        constraints = [models.UniqueConstraint(fields=["period", "school"], name="one_submission_per_school_period")]
        indexes = [models.Index(fields=["period", "status"], name="submission_period_status"),
                   # The lock triggers' first question: is any report waiting for a decision (reporting.locks)?
                   models.Index(fields=["id"], condition=models.Q(status="submitted"), name="submission_waiting")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.period_id}: {self.status}"


class ProvinceAcceptance(models.Model):
    """The ministry accepts a province's approved figures for a period; re-opening deletes the row."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="acceptances")
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "province"], name="one_acceptance_per_province")]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.period_id}"


class SubmissionEvent(models.Model):
    """The journal of a submission: who did what, when and why (submit, return, approve, reopen, exception)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.action}"


class ReportingLock(models.Model):
    """Maintained by the services only; read by the database's lock triggers (reporting.locks). One row per
    approved submission and domain; `exception_until` in the future lets the school write (a province's
    exception), and each row so written counts on the submission as changed after approval."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="locks")
    school_id = models.BigIntegerField()
    school_year = models.PositiveSmallIntegerField()
    domain = models.CharField(max_length=12, choices=Domain.choices)
    approved_at = models.DateTimeField()
    approved_by = models.CharField(max_length=150)
    period_kind = models.CharField(max_length=12, choices=PeriodKind.choices)
    exception_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school_id", "school_year", "domain"], name="one_lock_per_domain")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}/{self.domain}"


class OfficialFigures(models.Model):
    """The school's figures frozen at approval (its statistics row of the year, every metric): what the
    dashboards show as official beside the live figures; later edits never move them."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="figures")
    school_id = models.BigIntegerField()
    school_year = models.PositiveSmallIntegerField()
    province_id = models.CharField(max_length=2)
    commune_id = models.CharField(max_length=5, blank=True)
    figures = models.JSONField()
    frozen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["school_year", "province_id"], name="official_year_province"),
                   # A commune's page sums its schools' frozen rows (by school): read by commune, not by province.
                   models.Index(fields=["school_year", "commune_id"], name="official_year_commune")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}"


class OfficialRollup(models.Model):
    """The frozen rows (OfficialFigures) of a period summed by province (commune_id = '') and by commune, each
    x level x ownership, and by commune over every level and ownership (level = ownership = ''), as
    dashboards_statsrollup sums the live ones: the official pages of the country, a
    province and a commune read a few hundred rows instead of up to 54,000 JSON objects (reporting.official_rollup).
    Rebuilt for the provinces an approval touched, in its transaction: it always equals the frozen rows' sums."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    province_id = models.CharField(max_length=2)
    commune_id = models.CharField(max_length=5, blank=True)  # '' on the rows by province
    level = models.CharField(max_length=20)
    ownership = models.CharField(max_length=20)
    approved = models.IntegerField(default=0)  # schools with frozen figures

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "province_id", "commune_id", "level", "ownership"],
                                               name="one_official_rollup_row")]
        # The unique key serves a province's communes; the country's pages read the rows by province from this one.
        indexes = [models.Index(fields=["period", "province_id"], condition=models.Q(commune_id=""),
                                name="official_rollup_province_grain")]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.province_id}/{self.commune_id or '*'}/{self.level}/{self.ownership}"


# A province's counts stay far below 2^31: integers, as in dashboards_statsrollup (a new metric: a migration here too).
for _name in METRIC_NAMES:
    OfficialRollup.add_to_class(_name, models.IntegerField(default=0))


class CheckStatus(models.TextChoices):
    OPEN = "open", _("Chưa xử lý")
    EXPLAINED = "explained", _("Đã giải trình")
    CORRECTED = "corrected", _("Đã sửa")
    ERROR = "error", _("Lỗi khi kiểm tra")


class CheckResult(models.Model):
    """A validation rule (reporting.rules) a school's data fails in a period, and its follow-up: open until
    the data is corrected (the next check finds it no more) or the school explains it (a warning only: a
    blocking rule must be corrected before the school submits)."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="checks")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)
    blocking = models.BooleanField()
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.OPEN)
    # The failing items as data: [{"item", "value", "limit"}], the first 50 (reporting.rules.describe words them).
    items = models.JSONField(default=list)
    failing = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "school", "rule"], name="one_check_per_rule")]
        indexes = [models.Index(fields=["period", "status"], name="check_period_status")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.rule}: {self.status}"


class Notification(models.Model):
    """An in-app message about a reporting period (issue 19), kept as a kind and its parameters and worded in
    the reader's language when shown (reporting.notifications.TEXTS); also e-mailed to users with an address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    # A reminder is sent once per user, period and kind of reminder: the key says which (e.g. "deadline:3").
    key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [models.UniqueConstraint(fields=["user", "period", "key"], condition=~models.Q(key=""),
                                               name="one_reminder_per_key")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class SchoolChange(models.Model):
    """A write that may move a school's statistics, as the database saw it (reporting.changes: statement
    triggers on every table the statistics count): the school, the school year (NULL: every year, e.g. staff)
    and the time of the write. Append-only, so that writers never wait on each other for it; pruned daily of
    what the statistics rows already count. An approval freezes a school from its stored statistics row when no
    change is at or after the row's `computed_at`, and refreshes it first otherwise."""

    school_id = models.BigIntegerField()
    school_year = models.PositiveSmallIntegerField(null=True)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["school_id", "changed_at"], name="school_change_school_time")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}: {self.changed_at}"
