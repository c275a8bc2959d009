"""Pre-aggregated statistics: one row per school and school year, refreshed by Celery.

The dashboards and the statistics API sum these rows (5,400 at one tenth of national scale)
instead of scanning millions of pupils while a user waits. The school's dimensions (province,
commune, level, ownership) are copied here so that a rollup needs no join.
"""
from django.db import models

from .flows import COUNTS as FLOW_COUNTS
from .metrics import METRIC_NAMES


class SchoolYearRow(models.Model):
    """A school in a school year, with the school's dimensions copied so that a rollup needs no join."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+",
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
