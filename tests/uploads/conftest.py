"""Helpers for upload tests: files as users make them, run through the real services."""
import csv
import io

import pytest
from django.core.files.base import ContentFile

from uploads import services

PUPIL_HEADER = ["Mã học sinh", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc",
                "Nơi sinh (mã tỉnh)", "Khối", "Lớp"]


def pupil_rows(n: int, *, start: int = 1, prefix: str = "HSA") -> list[list[str]]:
    """Valid pupils: girls born 2016, ID numbers 001316xxxxxx (Hà Nội, 2000s, female, 2016)."""
    return [[f"{prefix}{i:07d}", f"001316{i:06d}", f"Nguyễn Thị Thử {chr(65 + i % 26)}", "15/03/2016", "Nữ", "",
             "01", "3", "3A"] for i in range(start, start + n)]


def csv_bytes(header, rows, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run_upload(user, content: bytes, *, kind="pupils", name="hoc_sinh.csv", school=None, max_rows=None):
    """Create and validate an upload the way the web form and the task do."""
    upload = services.upload_create(user=user, kind=kind, file=ContentFile(content, name=name), school=school,
                                    enqueue=False)
    return services.upload_validate(upload_id=upload.pk, max_rows=max_rows)


def commit(user, upload):
    services.upload_confirm(user=user, upload_id=upload.pk, enqueue=False)
    return services.upload_commit(upload_id=upload.pk)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
