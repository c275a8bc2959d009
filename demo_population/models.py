"""The truth kept aside about the demo data set: which pupils seed_demo planted as the same child
entered twice (issue 16), so that a duplicate finder's precision and recall can be measured
against it. Nothing in the portal reads this table; only the seed writes it."""
from django.db import models


class DuplicateKind(models.TextChoices):
    # How the second record differs from the first: the variations real double entries have. Read by
    # whoever measures the finder, never shown to users: the labels are not translated.
    NO_ID_NUMBER = "no_id_number", "Nhập lại không có số định danh"
    ID_NUMBER_TYPO = "id_number_typo", "Số định danh sai một chữ số"
    NAME_NO_DIACRITICS = "name_no_diacritics", "Họ tên gõ không dấu"
    NAME_TONE_PLACEMENT = "name_tone_placement", "Họ tên bỏ dấu thanh kiểu khác (Hoà/Hòa)"
    DAY_MONTH_SWAPPED = "day_month_swapped", "Ngày sinh đảo ngày và tháng"


class PlantedDuplicate(models.Model):
    # Plain ids, not foreign keys: a merge or deletion of either pupil must not take the truth with it.
    pupil_a = models.BigIntegerField("hồ sơ gốc (id học sinh)")
    pupil_b = models.BigIntegerField("hồ sơ nhập trùng (id học sinh)")
    kind = models.CharField("kiểu sai khác", max_length=24, choices=DuplicateKind.choices)

    class Meta:
        verbose_name = "cặp hồ sơ trùng cài sẵn"
        verbose_name_plural = "cặp hồ sơ trùng cài sẵn"
        constraints = [models.UniqueConstraint(fields=["pupil_a", "pupil_b"], name="one_planted_pair")]

    def __str__(self) -> str:
        return f"{self.pupil_a} = {self.pupil_b} ({self.kind})"
