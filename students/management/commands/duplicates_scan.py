"""python manage.py duplicates_scan [--province CODE ...] [--queue]: the national duplicate-pupil scan
(students.duplicates), in this process province by province, or queued as one task per province."""
import time

from django.core.management.base import BaseCommand

from students import tasks
from students.duplicates import duplicates_scan_province, scan_provinces


class Command(BaseCommand):
    help = ("Tìm các cặp hồ sơ học sinh nghi trùng trên toàn quốc (cùng số định danh, hoặc cùng giới tính, ngày sinh "
            "— kể cả đảo ngày/tháng — và tên gần giống), theo từng tỉnh; chạy lại không tạo cặp trùng, không đề xuất "
            "lại cặp đã được xác nhận là hai người khác nhau.")

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="mã tỉnh (lặp lại được); mặc định: tất cả")
        parser.add_argument("--queue", action="store_true", help="gửi vào hàng đợi Celery, mỗi tỉnh một tác vụ")

    def handle(self, *args, province: list[str], queue: bool, **options):
        codes = province or scan_provinces()
        if queue:
            for code in codes:
                tasks.duplicates_scan_province.delay(code)
            self.stdout.write(f"Đã gửi {len(codes)} tỉnh vào hàng đợi.")
            return
        total = 0
        for code in codes:
            started = time.monotonic()
            written = duplicates_scan_province(province_code=code)
            total += written
            self.stdout.write(f"  tỉnh {code}: {written} cặp ghi/cập nhật ({time.monotonic() - started:.1f} s)")
        self.stdout.write(f"Xong: {total} cặp ghi/cập nhật.")
