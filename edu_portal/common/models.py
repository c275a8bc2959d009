"""Small pieces every record shares."""
import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class TimeStamped(models.Model):
    """created_at/updated_at: updated_at drives incremental sync (`updated_since`)."""

    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now, db_index=True)

    class Meta:
        abstract = True


def current_school_year(today: dt.date | None = None) -> int:
    """The school year as its starting calendar year: 2026 means 2026-2027 (starts in September;
    August belongs to the new year because enrollment opens then)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"
