"""Pupils, their enrollment per school year, academic results and physical records."""
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import Gender, HeldIdNumber, TimeStamped, VerifiableIdentity, id_number_unique
from edu_portal.common.names import VIETNAMESE, family_name, given_name, middle_name, vietnamese_order
from edu_portal.common.search import name_search, name_search_index


class IdNumberMissingReason(models.TextChoices):
    # Why a pupil is enrolled without a số định danh cá nhân (grade-1 and preschool intakes often have
    # none yet): the school's to-do list shows it, the statistics count these pupils (pupils_without_id).
    NOT_ISSUED = "not_issued", _("Chưa có số định danh (trẻ mới sinh / chưa làm thủ tục)")
    PENDING = "pending", _("Đang chờ cấp")
    FOREIGNER = "foreigner", _("Người nước ngoài")
    OTHER = "other", _("Lý do khác")


class Student(TimeStamped, VerifiableIdentity, HeldIdNumber):
    # Mã định danh học sinh (MOET): opaque, unique, never reused even after a pupil leaves. Unique by the
    # constraint in Meta, not `unique=True`: that would add a varchar_pattern_ops twin for LIKE, and the
    # code is only ever matched whole (issue 20: every index is paid on every pupil written).
    pupil_code = models.CharField("mã học sinh", max_length=20)
    full_name = models.CharField("họ và tên", max_length=100)
    date_of_birth = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("dân tộc", max_length=40, default="Kinh")
    # No index: no page, report or API filters pupils by birth province (a province is never deleted).
    birth_province = models.ForeignKey("geo.Province", null=True, blank=True, on_delete=models.PROTECT,
                                       verbose_name="nơi sinh (tỉnh)", db_index=False)
    # Required (students.intake) when a user who may type numbers leaves the number blank; cleared when
    # the number is added. Temporary codes schools invent are pupil codes, never stored here.
    id_number_missing_reason = models.CharField("lý do chưa có số định danh", max_length=12, blank=True,
                                                default="", db_default="", choices=IdNumberMissingReason.choices)
    id_number_missing_note = models.CharField("ghi chú lý do chưa có số định danh", max_length=200, blank=True,
                                              default="", db_default="")
    # The school of the current enrollment, kept here so that scope filters need no join. No index of its
    # own: student_school_vi_name starts with the school and serves every lookup by school.
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="students",
                               verbose_name="trường", db_index=False)

    class Meta:
        # Vietnamese order (given, middle, family name): edu_portal.common.names.
        ordering = [*vietnamese_order(), "pk"]
        verbose_name = "học sinh"
        verbose_name_plural = "học sinh"
        indexes = [
            # A school's class lists.
            models.Index(F("school"), *vietnamese_order(), F("id"), name="student_school_vi_name"),
            # The pupils of one name in the list's order, read index-only by the name search's LATERAL
            # (students.search): the full name and the school ride along for its tests. Its keys begin with the
            # list's order, so it also serves the country's and a province's pages (walked in order, filtered):
            # the index of that order alone (student_vi_name) was dropped, one index fewer to write for every
            # pupil (issue 20: 21% of a COPY of new pupils at national size, bench/write_path).
            models.Index(*vietnamese_order(), F("id"), name_search(), name="student_vi_name_search",
                         include=["full_name", "school"]),
            # Search by the words of a name, with or without diacritics, without scanning millions of rows.
            name_search_index("full_name", name="student_name_search_trgm"),
            # The duplicate finder's block (students.duplicates): same birth date (or day/month swapped),
            # gender and given name without diacritics (student_given_key, an IMMUTABLE SQL function of
            # migration 0013), probed once per pupil by the national scan; the form uses its prefix.
            # After the block come what an upload's check tests of each candidate, so that it reads
            # neither the table nor computes per candidate (~40 a block at national size, migration 0022):
            # the folded name (similarity) and whether the number is a valid 12-digit one (the queue's
            # rule: two valid numbers more than one digit apart are two people). The name and number
            # ride along (INCLUDE), since an index-only scan needs the columns the expressions read.
            models.Index(F("date_of_birth"), F("gender"),
                         models.Func(F("full_name"), function="student_given_key", output_field=models.TextField()),
                         models.Func(F("full_name"), function="student_name_key", output_field=models.TextField()),
                         models.Func(F("id_number"), function="student_id_valid",
                                     output_field=models.BooleanField()),
                         name="student_dup_block", include=["full_name", "id_number", "school"]),
            # The verification sweep's queued / error records (verification/services/sweep.py).
            models.Index(fields=["verification_status"], name="student_verification_status"),
        ]
        constraints = [id_number_unique("student_id_number_unique"),
                       # The name PostgreSQL gave `unique=True`'s constraint: the index is kept as it is.
                       models.UniqueConstraint(fields=["pupil_code"], name="students_student_pupil_code_key")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.pupil_code})"


class PupilName(models.Model):
    """The directory of pupils' names: each distinct full name once per province that has a pupil of
    that name, and once for the whole country (`area` ""). A country's or a province's name search
    walks its ~100,000 names in the list's order instead of its millions of pupils, and reads the
    pupils of each matching name from the list's index (students.search). Kept by triggers on the
    pupils and the schools (migration 0017); insert-only, so that writers never wait on each other:
    a name whose last pupil left stays, and the search finds nobody behind it."""

    area = models.CharField("tỉnh (trống: cả nước)", max_length=2, blank=True)
    full_name = models.CharField("họ và tên", max_length=100)
    # The list's sort keys and the folded name, computed by the very expressions the pupils' indexes use.
    given = models.GeneratedField(expression=given_name(), output_field=models.CharField(max_length=100),
                                  db_persist=True)
    middle = models.GeneratedField(expression=middle_name(), output_field=models.CharField(max_length=100),
                                   db_persist=True)
    family = models.GeneratedField(expression=family_name(), output_field=models.CharField(max_length=100),
                                   db_persist=True)
    folded = models.GeneratedField(expression=name_search(), output_field=models.TextField(), db_persist=True)

    class Meta:
        verbose_name = "tên học sinh (danh mục tìm kiếm)"
        constraints = [models.UniqueConstraint(fields=["area", "full_name"], name="pupil_name_key")]
        indexes = [
            # An area's names in the list's order, each with its folded form: walked index-only.
            models.Index(F("area"), *(Collate(F(part), VIETNAMESE) for part in ("given", "middle", "family")),
                         name="pupil_name_order", include=["folded", "full_name"]),
            # An area's names holding rare words (btree_gin for the area, pg_trgm for the words).
            GinIndex(F("area"), OpClass(F("folded"), name="gin_trgm_ops"), name="pupil_name_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.area or '*'})"


class EnrollmentStatus(models.TextChoices):
    STUDYING = "studying", _("Đang học")
    TRANSFERRED_OUT = "transferred_out", _("Đã chuyển trường")
    DROPPED_OUT = "dropped_out", _("Bỏ học")
    COMPLETED = "completed", _("Hoàn thành chương trình")
    DECEASED = "deceased", _("Đã mất")
    MOVED_ABROAD = "moved_abroad", _("Chuyển ra nước ngoài")


# A pupil who leaves keeps the enrollment (the history); the status and `left_on` take them out of the
# school's statistics. Transfers close an enrollment too, but through the transfer, not through here.
LEAVING_STATUSES = (EnrollmentStatus.DROPPED_OUT, EnrollmentStatus.COMPLETED, EnrollmentStatus.DECEASED,
                    EnrollmentStatus.MOVED_ABROAD)
# What the sending school may record itself (student_withdraw): the leavers above, and a pupil who left
# by transfer before any receiving school asked ("chuyển trường – chưa có trường tiếp nhận"): the
# enrollment is closed as transferred out, the pupil stays attached to the old school and is listed for
# its province as "chờ tiếp nhận" until a receiving school asks (students.selectors.students_awaiting_transfer).
WITHDRAW_STATUSES = (*LEAVING_STATUSES, EnrollmentStatus.TRANSFERRED_OUT)
AWAITING_TRANSFER_LABEL = _("Chuyển trường – chưa có trường tiếp nhận")


class AgeGroup(models.TextChoices):
    # Nhóm trẻ / lớp mẫu giáo by age (Chương trình giáo dục mầm non, VBHN 01/VBHN-BGDĐT 2021 of
    # Thông tư 51/2020; Điều lệ trường mầm non, Thông tư 52/2020): the rule is students/preschool.py.
    INFANT_3_12 = "nt_3_12", _("Nhà trẻ 3–12 tháng")
    INFANT_13_24 = "nt_13_24", _("Nhà trẻ 13–24 tháng")
    INFANT_25_36 = "nt_25_36", _("Nhà trẻ 25–36 tháng")
    KINDERGARTEN_3 = "mg_3_4", _("Mẫu giáo 3–4 tuổi")
    KINDERGARTEN_4 = "mg_4_5", _("Mẫu giáo 4–5 tuổi")
    KINDERGARTEN_5 = "mg_5_6", _("Mẫu giáo 5–6 tuổi")


class Enrollment(TimeStamped):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    # Only the transferred-out feed reads enrollments by updated_at (students.selectors.enrollments_transferred_out):
    # the partial index in Meta serves it, and the enrollments every upload and rollover writes (studying) skip it.
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now)
    school_year = models.PositiveSmallIntegerField("năm học")  # 2026 = 2026-2027
    # No index of its own: (school, school_year) below serves every lookup by school (issue 20: each index
    # is paid on every enrollment written, 24 million at the turn of the year).
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="enrollments", db_index=False)
    grade = models.PositiveSmallIntegerField("khối lớp")  # 0 = preschool, 1-12
    class_name = models.CharField("lớp", max_length=20)
    status = models.CharField("tình trạng", max_length=20, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.STUDYING)
    # Preschool (grade 0) only, derived from the date of birth and the school year at every write
    # (students.preschool); blank for grades 1-12.
    age_group = models.CharField("nhóm tuổi", max_length=8, choices=AgeGroup.choices, blank=True, default="",
                                 db_default="")
    # The day a transfer opened this enrollment (blank for enrollments made by the form or the upload at
    # the start of the year); when and why the pupil left (thôi học, hoàn thành, đã mất, ra nước ngoài,
    # chuyển trường): empty while studying.
    started_on = models.DateField("ngày bắt đầu", null=True, blank=True)
    # Made by a year-end (students.yearend) for the next year: the grade and class are proposed until
    # the school confirms its classes.
    provisional = models.BooleanField("dự kiến (chờ trường xác nhận lớp)", default=False, db_default=False)
    # Made by the rollover for a pupil still undecided on the turn of the year (awaiting the summer's
    # re-assessment or a whole-year result): the school's later year-end commit replaces it while it is
    # still provisional. A flag on the row, not a journal row per pupil: the rollover writes one for
    # nearly every pupil of the country (students.yearend).
    carried = models.BooleanField("xếp lớp tạm khi chuyển năm học (chưa xét lên lớp)", default=False,
                                  db_default=False)
    left_on = models.DateField("ngày rời trường", null=True, blank=True)
    leave_reason = models.CharField("lý do", max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = "ghi danh"
        verbose_name_plural = "ghi danh"
        # A transfer closes the sending school's enrollment (transferred out, kept as its history) and
        # opens one at the receiving school: a pupil has several rows in a year, but exactly one that
        # is not "transferred out" (the OPEN_ENROLLMENT row every reader picks).
        constraints = [models.UniqueConstraint(fields=["student", "school_year"],
                                               condition=~models.Q(status="transferred_out"),
                                               name="one_open_enrollment_per_year")]
        indexes = [models.Index(fields=["school", "school_year"]),
                   models.Index(fields=["updated_at", "id"], condition=models.Q(status="transferred_out"),
                                name="enrollment_transferred_out")]


class Term(models.IntegerChoices):
    WHOLE_YEAR = 0, _("Cả năm")
    FIRST = 1, _("Học kỳ I")
    SECOND = 2, _("Học kỳ II")
    # The summer's re-assessment of a pupil who did not pass the year (kiểm tra lại / rèn luyện trong hè:
    # Thông tư 22/2021, Điều 12-13; đánh giá bổ sung: Thông tư 27/2020, Điều 12): the year-end reads it
    # in place of the whole year's result (students.yearend).
    RESIT = 3, _("Đánh giá lại (hè)")


# The terms the statistics report (the summer's re-assessment corrects a pupil's year; it is no period).
REPORTING_TERMS = (Term.WHOLE_YEAR, Term.FIRST, Term.SECOND)


class LearningRating(models.TextChoices):
    # Thông tư 22/2021/TT-BGDĐT (THCS, THPT): kết quả học tập.
    GOOD = "tot", _("Tốt")
    FAIR = "kha", _("Khá")
    PASS = "dat", _("Đạt")
    FAIL = "chua_dat", _("Chưa đạt")
    # Thông tư 27/2020/TT-BGDĐT (tiểu học), Điều 10: four levels at the end of the year.
    EXCELLENT = "hoan_thanh_xuat_sac", _("Hoàn thành xuất sắc")
    COMPLETED_WELL = "hoan_thanh_tot", _("Hoàn thành tốt")
    COMPLETED = "hoan_thanh", _("Hoàn thành")
    NOT_COMPLETED = "chua_hoan_thanh", _("Chưa hoàn thành")


class ConductRating(models.TextChoices):
    # Thông tư 22/2021: kết quả rèn luyện; Thông tư 27/2020: phẩm chất (Tốt/Đạt/Cần cố gắng).
    GOOD = "tot", _("Tốt")
    FAIR = "kha", _("Khá")
    PASS = "dat", _("Đạt")
    FAIL = "chua_dat", _("Chưa đạt")
    NEEDS_EFFORT = "can_co_gang", _("Cần cố gắng")


PRIMARY_LEARNING = {LearningRating.EXCELLENT, LearningRating.COMPLETED_WELL, LearningRating.COMPLETED, LearningRating.NOT_COMPLETED}
SECONDARY_LEARNING = {LearningRating.GOOD, LearningRating.FAIR, LearningRating.PASS, LearningRating.FAIL}
PRIMARY_CONDUCT = {ConductRating.GOOD, ConductRating.PASS, ConductRating.NEEDS_EFFORT}
SECONDARY_CONDUCT = {ConductRating.GOOD, ConductRating.FAIR, ConductRating.PASS, ConductRating.FAIL}


class AcademicResult(TimeStamped):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="results")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="results")
    school_year = models.PositiveSmallIntegerField("năm học")
    term = models.PositiveSmallIntegerField("học kỳ", choices=Term.choices)
    learning_rating = models.CharField("kết quả học tập", max_length=20, choices=LearningRating.choices)
    conduct_rating = models.CharField("kết quả rèn luyện", max_length=20, choices=ConductRating.choices)
    # {"Toán": 8.5, "Ngữ văn": 7.0, "Giáo dục thể chất": "Đạt"}: score or pass/fail rating per subject.
    subject_scores = models.JSONField("điểm/ mức đánh giá môn học", default=dict, blank=True)

    class Meta:
        verbose_name = "kết quả học tập"
        verbose_name_plural = "kết quả học tập"
        constraints = [models.UniqueConstraint(fields=["student", "school_year", "term"],
                                               name="one_result_per_term")]
        indexes = [models.Index(fields=["school", "school_year"])]


class YearEndOutcome(models.TextChoices):
    # What the year-end proposes for a pupil (students.yearend: the rules of Thông tư 22/2021 and 27/2020).
    PROMOTED = "promoted", _("Lên lớp")
    REPEATS = "repeats", _("Ở lại lớp")
    SUMMER = "summer", _("Chờ đánh giá lại trong hè")
    COMPLETED_LEVEL = "completed_level", _("Hoàn thành cấp học, chờ tiếp nhận lên cấp")
    GRADUATED = "graduated", _("Hoàn thành chương trình lớp 12")
    NO_RESULT = "no_result", _("Chưa có kết quả cả năm")


class YearEnd(models.Model):
    """One commit of a school's year-end (xét lên lớp): its decisions, and what undoing it needs."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="year_ends")
    school_year = models.PositiveSmallIntegerField("năm học")
    committed_at = models.DateTimeField("ghi lúc", default=timezone.now)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    undone_at = models.DateTimeField("hoàn tác lúc", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = "xét lên lớp"
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}: {self.committed_at:%Y-%m-%d %H:%M}"


class YearRollover(models.Model):
    """The turn of a school year into the next (students.yearend.year_rollover): done once per year,
    by the beat task on 1 August or by the ministry; what it did, for the record."""

    school_year = models.PositiveSmallIntegerField("năm học kết thúc", unique=True)
    started_at = models.DateTimeField("bắt đầu lúc", default=timezone.now)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    counts = models.JSONField("số học sinh theo kết quả", default=dict)
    # Done in parts (groups of schools) that run in parallel; finished when every part is. Each part's
    # counts by its number, so that a part run twice (a task delivered again) counts once.
    parts_total = models.PositiveIntegerField("số phần", default=0)
    part_counts = models.JSONField("số học sinh theo phần", default=dict)

    class Meta:
        verbose_name = "chuyển năm học"

    def __str__(self) -> str:
        return f"{self.school_year} -> {self.school_year + 1}"


class YearEndDecision(models.Model):
    # A journal row per pupil, written by the thousand (the whole country on 1 August: 24 million). Its
    # links to the pupil and enrollments are not database constraints: each check locks the referenced
    # row and cost more than the write itself (bench year_end); the statements that write them join the
    # rows they name, and deletes through the ORM still cascade (Django's collector).
    year_end = models.ForeignKey(YearEnd, on_delete=models.CASCADE, related_name="decisions")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="year_end_decisions",
                                db_constraint=False)
    # The year's enrollment decided on, its status before (a completion closes it), and the next year's
    # enrollment the decision made (none for a completion).
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    status_before = models.CharField(max_length=20)
    outcome = models.CharField("kết quả xét", max_length=20, choices=YearEndOutcome.choices)
    grade = models.PositiveSmallIntegerField("khối lớp")
    next_enrollment = models.ForeignKey(Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                        db_constraint=False)

    class Meta:
        verbose_name = "quyết định xét lên lớp"
        constraints = [models.UniqueConstraint(fields=["year_end", "enrollment"], name="one_decision_per_enrollment")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.outcome}"


class NutritionStatus(models.TextChoices):
    # WHO BMI-for-age categories (WHO 2006 standards to 60 months, WHO 2007 reference 61 months-19 years).
    # Severe: z < -3 (severe wasting under 5, severe thinness after); counted apart, as WHO reports it.
    SEVERE_THINNESS = "severe_thin", _("Suy dinh dưỡng thể gầy còm nặng")
    UNDERWEIGHT = "underweight", _("Suy dinh dưỡng thể gầy còm")
    NORMAL = "normal", _("Bình thường")
    OVERWEIGHT = "overweight", _("Thừa cân")
    OBESE = "obese", _("Béo phì")


class HeightStatus(models.TextChoices):
    # WHO height-for-age (length under 2 years): stunting, the main preschool malnutrition indicator.
    SEVERELY_STUNTED = "severe_stunted", _("Suy dinh dưỡng thể thấp còi nặng")
    STUNTED = "stunted", _("Suy dinh dưỡng thể thấp còi")
    NORMAL = "normal", _("Bình thường")


class PhysicalRecord(TimeStamped):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="physical_records")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="physical_records")
    school_year = models.PositiveSmallIntegerField("năm học")
    measured_on = models.DateField("ngày đo")
    height_cm = models.DecimalField("chiều cao (cm)", max_digits=5, decimal_places=1)
    weight_kg = models.DecimalField("cân nặng (kg)", max_digits=5, decimal_places=1)
    bmi = models.DecimalField("BMI", max_digits=4, decimal_places=1)
    bmi_z_score = models.DecimalField("BMI theo tuổi (z)", max_digits=4, decimal_places=2, null=True)
    nutrition_status = models.CharField("tình trạng dinh dưỡng", max_length=12, choices=NutritionStatus.choices)
    # Height-for-age; empty on records measured before it was computed (their z is NULL).
    height_z_score = models.DecimalField("chiều cao theo tuổi (z)", max_digits=4, decimal_places=2, null=True)
    height_status = models.CharField("tình trạng chiều cao", max_length=16, choices=HeightStatus.choices,
                                     blank=True, default="", db_default="")

    class Meta:
        verbose_name = "thể lực"
        verbose_name_plural = "thể lực"
        constraints = [models.UniqueConstraint(fields=["student", "measured_on"], name="one_measure_per_day")]
        indexes = [models.Index(fields=["school", "school_year"])]


# The one row per pupil and year that every reader picks (students.models.Enrollment's constraint);
# SQL readers write the same condition as OPEN_ENROLLMENT_SQL.format(alias=...).
OPEN_ENROLLMENT = ~models.Q(status=EnrollmentStatus.TRANSFERRED_OUT)
OPEN_ENROLLMENT_SQL = "{alias}.status <> 'transferred_out'"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Chờ trường cũ đồng ý")
    RELEASED = "released", _("Đã chuyển")
    DECLINED = "declined", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã huỷ")


class TransferRequest(models.Model):
    """A receiving school asks for a pupil; the sending school (or its province) releases or declines."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="transfer_requests",
                                verbose_name="học sinh")
    from_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="transfers_out",
                                    verbose_name="trường chuyển đi")
    to_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="transfers_in",
                                  verbose_name="trường tiếp nhận")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="người đề nghị")
    grade = models.PositiveSmallIntegerField("khối lớp")
    class_name = models.CharField("lớp", max_length=20)
    status = models.CharField("tình trạng", max_length=10, choices=TransferStatus.choices,
                              default=TransferStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người quyết định")
    decided_at = models.DateTimeField("thời điểm quyết định", null=True, blank=True)
    reason = models.CharField("lý do", max_length=500, blank=True)
    created_at = models.DateTimeField("thời điểm đề nghị", auto_now_add=True)
    # Set once, by the daily task (students.transfers_escalate), on a request left pending longer than
    # TRANSFER_ESCALATE_DAYS: the sending school's province then lists it first ("quá hạn, chuyển lên Sở").
    escalated_at = models.DateTimeField("thời điểm chuyển lên Sở", null=True, blank=True)

    class Meta:
        verbose_name = "đề nghị chuyển trường"
        verbose_name_plural = "đề nghị chuyển trường"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A pupil is in transit at most once: a second school asking meets this (and a clear message).
            models.UniqueConstraint(fields=["student"], condition=models.Q(status="pending"),
                                    name="one_open_transfer_per_pupil"),
        ]
        indexes = [
            models.Index(fields=["from_school", "status"], name="transfer_from_status"),
            models.Index(fields=["to_school", "status"], name="transfer_to_status"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.from_school_id} -> {self.to_school_id} ({self.status})"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Chờ xem xét")
    MERGED = "merged", _("Đã gộp")
    NOT_SAME = "not_same", _("Không phải cùng một người")


class DuplicateCandidate(models.Model):
    """Two pupil records that may be one person (students.duplicates): found by the national scan,
    decided by a province or the ministry. A pair marked "not the same person" is kept, so that no
    later scan proposes it again; a merged pair keeps the key change (old code -> new code) that the
    merged/ feed publishes after the removed record is gone (hence SET_NULL and the copied codes)."""

    pupil_a = models.ForeignKey(Student, null=True, on_delete=models.SET_NULL, related_name="+")
    pupil_b = models.ForeignKey(Student, null=True, on_delete=models.SET_NULL, related_name="+")
    code_a = models.CharField("mã học sinh A", max_length=20)
    code_b = models.CharField("mã học sinh B", max_length=20)
    # The provinces of the two pupils' schools when last seen: a province's queue lists the pairs
    # touching it, also once a merge has removed one of the rows.
    province_a = models.CharField(max_length=2)
    province_b = models.CharField(max_length=2)
    score = models.FloatField("điểm trùng")
    # Which fields agree: {"id_number": bool, "name": similarity, "date_of_birth": "same"|"swapped",
    # "birthplace": "same"|"different"|"unknown", "id_numbers_differ": bool, "id_number_typo": bool
    # (the two numbers are one keystroke apart)}.
    evidence = models.JSONField("bằng chứng", default=dict)
    status = models.CharField("tình trạng", max_length=10, choices=DuplicateStatus.choices,
                              default=DuplicateStatus.OPEN)
    found_at = models.DateTimeField("thời điểm phát hiện", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người quyết định")
    decided_at = models.DateTimeField("thời điểm quyết định", null=True, blank=True)
    # A merge: the code kept and the code removed (the key change), and what undoing it needs
    # (the removed pupil as it was, the ids of the rows moved to the kept one).
    kept_code = models.CharField("mã giữ lại", max_length=20, blank=True, default="")
    removed_code = models.CharField("mã bị gộp", max_length=20, blank=True, default="")
    undo = models.JSONField("dữ liệu hoàn tác", default=dict, blank=True)

    class Meta:
        verbose_name = "cặp nghi trùng"
        verbose_name_plural = "cặp nghi trùng"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pupil_a", "pupil_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(condition=models.Q(pupil_a__lt=F("pupil_b")), name="candidate_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["status", "province_a"], name="candidate_status_prov_a"),
            models.Index(fields=["status", "province_b"], name="candidate_status_prov_b"),
            models.Index(fields=["status", "decided_at"], name="candidate_status_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.code_a} ~ {self.code_b} ({self.score:.2f}, {self.status})"
