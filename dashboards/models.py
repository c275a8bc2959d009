"""Pre-aggregated statistics: one row per school and school year, refreshed by Celery.

The dashboards and the statistics API sum these rows (5,400 at one tenth of national scale)
instead of scanning millions of pupils while a user waits. The school's dimensions (province,
commune, level, ownership) are copied here so that a rollup needs no join.
"""
from django.db import models

from .metrics import METRIC_NAMES


class SchoolStats(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+",
                               db_constraint=False)
    school_year = models.PositiveSmallIntegerField("năm học")
    province_id = models.CharField("mã tỉnh", max_length=2)
    commune_id = models.CharField("mã xã", max_length=5)
    level = models.CharField("cấp học", max_length=20)
    ownership = models.CharField("loại hình", max_length=20)
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
