"""Pre-aggregated statistics: one row per school and school year, refreshed by Celery, and their
sums by area (StatsRollup), kept with them by the same refreshes.

The dashboards and the statistics API sum these rows (54,000 a year at national size) instead of
scanning millions of pupils while a user waits; the pages of the country, a province and a commune
sum the rollup's few hundred rows instead (issue 17). The school's dimensions (province, commune,
level, ownership) are copied here so that a rollup needs no join.
"""
from django.contrib.postgres.fields import ArrayField
from django.db import models

from .flows import COUNTS as FLOW_COUNTS
from .metrics import METRIC_NAMES


class SchoolYearRow(models.Model):
    """A school in a school year, with the school's dimensions copied so that a rollup needs no join."""

    # A deleted school's rows stay until the refresh its deletion enqueues: that refresh reads their
    # area to rebuild the rollup without them (a cascade would leave the rollup counting the school).
    school = models.ForeignKey("schools.School", on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False)
    school_year = models.PositiveSmallIntegerField("năm học")
    province_id = models.CharField("mã tỉnh", max_length=2)
    commune_id = models.CharField("mã xã", max_length=5)
    level = models.CharField("cấp học", max_length=20)
    ownership = models.CharField("loại hình", max_length=20)

    class Meta:
        abstract = True


class SchoolStats(SchoolYearRow):
    status = models.CharField("trạng thái", max_length=10)
    last_synced_at = models.DateTimeField("đồng bộ lần cuối", null=True)
    # {field name: number of persons whose record differs from the population registry on it}
    pupil_mismatch_fields = models.JSONField(default=dict)
    staff_mismatch_fields = models.JSONField(default=dict)
    computed_at = models.DateTimeField("tính lúc")

    class Meta:
        verbose_name = "số liệu tổng hợp của trường"
        verbose_name_plural = "số liệu tổng hợp của trường"
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="one_stats_row_per_school_year")]
        indexes = [models.Index(fields=["school_year", "province_id", "commune_id"], name="stats_year_geo")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}"


# One integer column per metric (see metrics.py), declared from the same list the refresh uses.
for _name in METRIC_NAMES:
    SchoolStats.add_to_class(_name, models.IntegerField(default=0))


class FlowStats(SchoolYearRow):
    """Pupils of a school, year, grade and gender by where they were the next school year
    (dashboards.flows): the counts the flow indicators are summed from at any level."""

    grade = models.PositiveSmallIntegerField("khối lớp")
    gender = models.CharField("giới tính", max_length=1)
    # By year of birth (school year - year of birth): the enrolment ratios' ages (dashboards.flows).
    age = models.SmallIntegerField("tuổi")
    # Every pupil of the year, whatever its outcome: the enrolment ratios' numerator.
    enrolled = models.IntegerField("học sinh nhập học", default=0)
    computed_at = models.DateTimeField("tính lúc")

    class Meta:
        verbose_name = "luồng học sinh giữa hai năm học"
        verbose_name_plural = "luồng học sinh giữa hai năm học"
        constraints = [models.UniqueConstraint(fields=["school", "school_year", "grade", "gender", "age"],
                                               name="one_flow_row_per_school_year_grade_gender_age")]
        indexes = [models.Index(fields=["school_year", "province_id", "commune_id"], name="flow_year_geo")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}/{self.grade}{self.gender}/{self.age}"


for _name in FLOW_COUNTS:
    FlowStats.add_to_class(_name, models.IntegerField(default=0))


class StatsRollup(models.Model):
    """The sums of the SchoolStats rows of a school year by province (commune_id = '') and by commune,
    each × level × ownership: about 600 rows a year by province and 20,000 by commune at national size,
    read by the pages of the country, a province and a commune instead of 54,000 school rows
    (dashboards.selectors). Rebuilt from SchoolStats by every refresh, in its transaction
    (dashboards.rollup): it always equals their sums."""

    school_year = models.PositiveSmallIntegerField("năm học")
    province_id = models.CharField("mã tỉnh", max_length=2)
    commune_id = models.CharField("mã xã", max_length=5, blank=True)  # '' on the rows by province
    level = models.CharField("cấp học", max_length=20)
    ownership = models.CharField("loại hình", max_length=20)
    schools = models.IntegerField("trường đang hoạt động", default=0)
    rows = models.IntegerField("số dòng của trường", default=0)
    # The open schools' last synchronisations (not null), sorted: "connected" is counted at query time
    # (synchronised within CONNECTED_WINDOW of now), so the window cannot be summed ahead of time.
    synced = ArrayField(models.DateTimeField(), default=list)
    computed_at_min = models.DateTimeField("tính lúc (sớm nhất)")
    computed_at_max = models.DateTimeField("tính lúc (muộn nhất)")
    # Per field, the sums of SchoolStats' counts (stats_mismatch_reasons reads them too).
    pupil_mismatch_fields = models.JSONField(default=dict)
    staff_mismatch_fields = models.JSONField(default=dict)

    class Meta:
        verbose_name = "số liệu tổng hợp theo địa bàn"
        verbose_name_plural = "số liệu tổng hợp theo địa bàn"
        constraints = [models.UniqueConstraint(fields=["school_year", "province_id", "commune_id", "level", "ownership"],
                                               name="one_rollup_row_per_area_level_ownership")]
        # The unique key serves a province's communes; the country's pages read the rows by province
        # (600 of a year's ~20,000) from this one.
        indexes = [models.Index(fields=["school_year", "province_id"], condition=models.Q(commune_id=""),
                                name="rollup_year_province_grain")]

    def __str__(self) -> str:
        return f"{self.school_year}/{self.province_id}/{self.commune_id or '*'}/{self.level}/{self.ownership}"


# A province's counts stay far below 2^31: integers, as in SchoolStats.
for _name in METRIC_NAMES:
    StatsRollup.add_to_class(_name, models.IntegerField(default=0))
