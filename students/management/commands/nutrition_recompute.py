"""python manage.py nutrition_recompute [--since-id N] [--batch-size N]: stored measurements under the
current WHO rules (students/nutrition.py), e.g. after the classifier changed."""
from django.core.management.base import BaseCommand

from students.services import physical_records_reclassify


class Command(BaseCommand):
    help = ("Tính lại BMI, z-score và tình trạng dinh dưỡng / chiều cao của các số đo thể lực đã lưu theo quy tắc "
            "WHO hiện hành; chỉ ghi các dòng thay đổi.")

    def add_arguments(self, parser):
        parser.add_argument("--since-id", type=int, default=0,
                            help="tiếp tục sau id này (id cuối mà lần chạy trước đã báo)")
        parser.add_argument("--batch-size", type=int, default=20000, help="số dòng mỗi giao dịch")

    def handle(self, *args, since_id: int, batch_size: int, **options):
        def progress(p: dict) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  đến id {p['last_id']}: {p['examined']} dòng, {p['changed']} đã sửa")

        result = physical_records_reclassify(batch_size=batch_size, since_id=since_id, progress=progress)
        self.stdout.write(f"Đã xem {result['examined']} số đo, sửa {result['changed']}, "
                          f"{result['outside_reference']} ngoài bảng WHO (quá 19 tuổi hoặc đo trước ngày sinh, "
                          f"giữ nguyên); id cuối {result['last_id']}; {result['seconds']} s, "
                          f"{result['rows_per_second']} dòng/s.")
        for title, changes in (("Tình trạng dinh dưỡng", result["nutrition_status_changes"]),
                               ("Tình trạng chiều cao", result["height_status_changes"])):
            for (old, new), count in sorted(changes.items(), key=lambda item: -item[1]):
                self.stdout.write(f"  {title}: {old or '(trống)'} -> {new}: {count}")
        if result["outside_ids"]:
            shown = ", ".join(str(pk) for pk in result["outside_ids"])
            self.stdout.write(f"  Số đo ngoài bảng WHO (id, tối đa 100): {shown}")
