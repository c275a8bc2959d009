"""python manage.py duplicates_scan [--jobs N] [--queue]: the national duplicate-pupil scan
(students.duplicates), in this process (N parallel jobs, each its own database connection), or queued
as Celery tasks (students.duplicates_scan_country)."""
import time

from django.core.management.base import BaseCommand

from students import tasks
from students.duplicates import duplicates_scan_country


class Command(BaseCommand):
    help = ("Tìm các cặp hồ sơ học sinh nghi trùng trên toàn quốc (cùng số định danh, hoặc cùng giới tính, ngày sinh "
            "— kể cả đảo ngày/tháng — và tên gần giống), theo từng năm sinh; chạy lại không tạo cặp trùng, không đề "
            "xuất lại cặp đã được xác nhận là hai người khác nhau.")

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=1, help="số việc chạy song song (mỗi việc một kết nối CSDL)")
        parser.add_argument("--queue", action="store_true", help="gửi vào hàng đợi Celery")

    def handle(self, *args, jobs: int, queue: bool, **options):
        if queue:
            tasks.duplicates_scan_country.delay()
            self.stdout.write("Đã gửi vào hàng đợi.")
            return
        started = time.monotonic()

        def progress(year, written):
            self.stdout.write(f"  năm sinh {year}: {written} cặp ghi/cập nhật ({time.monotonic() - started:.1f} s)")

        written = duplicates_scan_country(jobs=jobs, progress=progress)
        self.stdout.write(f"  cùng số định danh: {written['ids']} cặp")
        self.stdout.write(f"Xong: {sum(written.values())} cặp ghi/cập nhật trong {time.monotonic() - started:.1f} s.")
