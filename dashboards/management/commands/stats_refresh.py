"""Recompute the dashboards' statistics now (after seeding or a bulk load): all, some school years, or
some schools."""
import time

from django.core.management.base import BaseCommand

from dashboards.services import stats_refresh_all, stats_refresh_schools


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp của bảng số liệu (toàn bộ, hoặc các trường có id cho trước)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, action="append", default=[], help="id của trường (lặp lại được)")
        parser.add_argument("--year", type=int, action="append", default=[],
                            help="chỉ tính lại năm học này (2026 = 2026-2027; lặp lại được)")
        parser.add_argument("--if-empty", action="store_true",
                            help="chỉ tính khi chưa có số liệu tổng hợp nào (dùng trong make setup)")

    def handle(self, *args, school: list[int], year: list[int], if_empty: bool, **options):
        from dashboards.models import SchoolStats

        if if_empty and SchoolStats.objects.exists():
            self.stdout.write("Đã có số liệu tổng hợp; bỏ qua.")
            return
        started = time.monotonic()
        rows = (stats_refresh_schools(school_ids=school) if school
                else stats_refresh_all(years=year or None))
        self.stdout.write(f"{rows} dòng số liệu trong {time.monotonic() - started:.1f} s")
