"""Facilities (cơ sở vật chất) and teaching equipment (thiết bị dạy học) of the schools.

A school is often several sites (điểm trường): one main site and satellite sites in the villages, each
with its own rooms. Rooms, toilets, water, power, internet and computers are recorded per site and
school year (SiteFacilities), so that a school's figures are the sum of its sites' and trends run over
the years. Equipment is recorded per school and year against the ministry's minimum lists
(EquipmentItem, seeded by migration 0002).

The rules a row must meet are in clean() (counts that contradict each other, impossible areas,
coordinates outside Vietnam); the services call full_clean() before writing.
"""
from __future__ import annotations

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import TimeStamped
from geo.models import Commune
from schools.models import School, SchoolLevel

NOT_NEGATIVE = _("Không được là số âm.")


def count_field(verbose_name: str, *, help_text: str = "") -> models.IntegerField:
    """A count of rooms, toilets, computers...: a whole number, never negative (the message is ours,
    in Vietnamese; the table's check constraint backs it)."""
    return models.IntegerField(verbose_name, default=0, help_text=help_text,
                               validators=[MinValueValidator(0, NOT_NEGATIVE),
                                           MaxValueValidator(100_000, _("Số quá lớn."))])


class SiteKind(models.TextChoices):
    MAIN = "main", _("Điểm trường chính")
    SATELLITE = "satellite", _("Điểm trường lẻ")


# Vietnam's territory as two boxes: the mainland with its near islands (Phú Quốc, Côn Đảo, Lý Sơn, Cô Tô:
# lat 8.1-23.5, lon 102.1-109.5), and the offshore archipelagos (Hoàng Sa and Trường Sa, where
# Trường Sa special zone has schools: lon up to 117.9, south of lat 17.5). A point outside both is a typing
# slip (latitude and longitude swapped, a sign lost, degrees-minutes typed as decimals).
MAINLAND = (Decimal("8.1"), Decimal("23.5"), Decimal("102.1"), Decimal("109.5"))
ARCHIPELAGOS = (Decimal("6.5"), Decimal("17.5"), Decimal("109.5"), Decimal("117.9"))
# A satellite farther than this from its main site (by road or as computed) is a slip of the unit (m for km)
# or of the site: the most remote satellites of mountain communes lie some 30-60 km away.
MAX_DISTANCE_KM = Decimal("150")
# Also checked set-based by the upload (facilities/importers.py), which reads the communes once per file.
COMMUNE_OUTSIDE_PROVINCE = _("Xã/phường của điểm trường không thuộc tỉnh/thành phố của trường.")


def in_vietnam(lat: Decimal, lon: Decimal) -> bool:
    return any(lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi
               for lat_lo, lat_hi, lon_lo, lon_hi in (MAINLAND, ARCHIPELAGOS))


def great_circle_km(lat1, lon1, lat2, lon2) -> Decimal:
    """Haversine distance in km (earth radius 6,371 km), rounded to 0.1 km."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return Decimal(str(round(2 * 6371.0 * math.asin(math.sqrt(a)), 1)))


class Site(TimeStamped):
    """Điểm trường: where a school teaches. Exactly one main site per school (the partial unique
    constraint keeps it at most one; the services create the main site first and never demote it)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="sites",
                               verbose_name="trường")
    code = models.CharField("mã điểm trường", max_length=20)
    name = models.CharField("tên điểm trường", max_length=200)
    kind = models.CharField("loại điểm trường", max_length=10, choices=SiteKind.choices, default=SiteKind.SATELLITE)
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="xã/phường")
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    latitude = models.DecimalField("vĩ độ", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("kinh độ", max_digits=9, decimal_places=6, null=True, blank=True)
    # Computed from the coordinates when both this site's and the main site's are known (services), else entered.
    distance_km = models.DecimalField("khoảng cách đến điểm trường chính (km)", max_digits=6, decimal_places=1,
                                      null=True, blank=True,
                                      validators=[MinValueValidator(0, NOT_NEGATIVE)])
    active = models.BooleanField("đang sử dụng", default=True)

    class Meta:
        ordering = ["school_id", "kind", "code"]  # "main" < "satellite": the main site first
        verbose_name = "điểm trường"
        verbose_name_plural = "điểm trường"
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="site_code_unique_per_school",
                                    violation_error_message=_("Mã điểm trường đã có ở trường này.")),
            models.UniqueConstraint(fields=["school"], condition=Q(kind="main"), name="one_main_site_per_school",
                                    violation_error_message=_("Trường đã có điểm trường chính.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_main(self) -> bool:
        return self.kind == SiteKind.MAIN

    def clean(self):
        errors: dict[str, str] = {}
        if (self.latitude is None) != (self.longitude is None):
            field = "longitude" if self.longitude is None else "latitude"
            errors[field] = _("Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai.")
        elif self.latitude is not None and not in_vietnam(self.latitude, self.longitude):
            errors["latitude"] = _("Toạ độ (%(lat)s, %(lon)s) nằm ngoài lãnh thổ Việt Nam: vĩ độ 8,1-23,5 và kinh độ "
                                   "102,1-109,5 (đất liền), hoặc kinh độ đến 117,9 (quần đảo Hoàng Sa, Trường Sa). "
                                   "Kiểm tra xem vĩ độ và kinh độ có bị đổi chỗ không.") % {
                "lat": self.latitude, "lon": self.longitude}
        if self.distance_km is not None:
            if self.kind == SiteKind.MAIN and self.distance_km != 0:
                errors["distance_km"] = _("Điểm trường chính không có khoảng cách đến chính nó: để trống.")
            elif self.distance_km > MAX_DISTANCE_KM:
                errors["distance_km"] = _("Khoảng cách %(km)s km đến điểm trường chính là quá xa (tối đa %(max)s km): "
                                          "kiểm tra đơn vị (km, không phải m).") % {
                    "km": self.distance_km, "max": MAX_DISTANCE_KM}
        # After the 2025 reform a school's sites lie in its province (communes belong to one province).
        # The commune's own location is not checked: geo.Commune holds no coordinates.
        if self.commune_id and self.school_id:
            province = Commune.objects.filter(pk=self.commune_id).values_list("province_id", flat=True).first()
            school_province = School.objects.filter(pk=self.school_id).values_list("province_id", flat=True).first()
            if province and school_province and province != school_province:
                errors["commune"] = COMMUNE_OUTSIDE_PROVINCE
        if errors:
            raise ValidationError(errors)


class WaterSource(models.TextChoices):
    PIPED = "piped", _("Nước máy")
    WELL = "well", _("Giếng khoan, giếng đào")
    RAIN = "rain", _("Nước mưa (bể chứa)")
    SPRING = "spring", _("Nước tự chảy (suối, khe)")
    OTHER = "other", _("Nguồn khác")
    NONE = "none", _("Không có nước sạch")


class Electricity(models.TextChoices):
    GRID = "grid", _("Điện lưới quốc gia")
    OWN = "own", _("Nguồn điện riêng (máy phát, điện mặt trời)")
    NONE = "none", _("Không có điện")


class Internet(models.TextChoices):
    FIBRE = "fibre", _("Cáp quang")
    DSL = "dsl", _("ADSL / cáp đồng")
    MOBILE = "mobile", _("Di động (3G/4G/5G)")
    SATELLITE = "satellite", _("Vệ tinh")
    NONE = "none", _("Không có internet")


# Bounds of the land area per pupil taught at a site. The standard asks 6-12 m² a pupil (Thông tư 13/2020,
# Điều 5, 9, 13, 17); a site below 1 m² a pupil could not seat its pupils (the area was typed in hectares or
# ares), and above 5,000 m² a pupil the area is in the wrong unit (a satellite of 15 pupils on 2 ha is 1,333).
LAND_PER_PUPIL_MIN = Decimal("1")
LAND_PER_PUPIL_MAX = Decimal("5000")
LAND_AREA_MAX = 2_000_000  # m² (200 ha): larger than any school in the country
# A classroom's floor: the standard's rooms are 40-80 m² (1.35-1.5 m² a pupil); below 10 or above 300 m² on
# average the total was mistyped.
CLASSROOM_AREA_MIN, CLASSROOM_AREA_MAX = 10, 300
# Pupils per class: Điều lệ trường (Thông tư 28/2020, 32/2020) caps classes at 35-45 pupils; more than 80 on
# average is a slip (pupils typed for classes).
PUPILS_PER_CLASS_MAX = 80
BANDWIDTH_MAX_MBPS = 10_000


class SiteFacilities(TimeStamped):
    """What one site holds in one school year: pupils and classes taught there, land, rooms by type and
    state, toilets, water, power, internet and computers. One row per site and year (site_facilities_save
    upserts it); `school` is the site's, kept on the row for scope filters and sums."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="facilities", verbose_name="điểm trường")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="trường")
    school_year = models.PositiveSmallIntegerField("năm học")
    pupils = count_field("số học sinh học tại điểm trường")
    classes = count_field("số lớp/nhóm lớp")
    land_area_m2 = models.IntegerField("diện tích khu đất (m²)", null=True, blank=True,
                                       validators=[MinValueValidator(0, NOT_NEGATIVE),
                                                   MaxValueValidator(LAND_AREA_MAX, _("Diện tích quá lớn (tối đa 200 ha)."))])
    classrooms_solid = count_field("phòng học kiên cố")
    classrooms_semi_solid = count_field("phòng học bán kiên cố")
    classrooms_temporary = count_field("phòng học tạm")
    classrooms_borrowed = count_field("phòng học nhờ, mượn")
    classrooms_in_use = count_field("phòng học đang sử dụng")
    classrooms_need_repair = count_field("phòng học cần sửa chữa")
    classroom_floor_area_m2 = models.IntegerField("tổng diện tích sàn phòng học (m²)", null=True, blank=True,
                                                  validators=[MinValueValidator(0, NOT_NEGATIVE)])
    subject_rooms = count_field("phòng học bộ môn")
    library_rooms = count_field("thư viện")
    computer_rooms = count_field("phòng tin học")
    laboratories = count_field("phòng thí nghiệm")
    multipurpose_halls = count_field("nhà đa năng")
    medical_rooms = count_field("phòng y tế")
    toilets_male = count_field("nhà vệ sinh học sinh nam")
    toilets_male_standard = count_field("nhà vệ sinh học sinh nam đạt chuẩn vệ sinh")
    toilets_female = count_field("nhà vệ sinh học sinh nữ")
    toilets_female_standard = count_field("nhà vệ sinh học sinh nữ đạt chuẩn vệ sinh")
    toilets_staff = count_field("nhà vệ sinh giáo viên, nhân viên")
    water_source = models.CharField("nguồn nước sạch", max_length=10, choices=WaterSource.choices,
                                    default=WaterSource.PIPED)
    electricity = models.CharField("điện", max_length=10, choices=Electricity.choices, default=Electricity.GRID)
    internet = models.CharField("kết nối internet", max_length=10, choices=Internet.choices, default=Internet.NONE)
    internet_mbps = models.IntegerField("băng thông internet (Mbps)", null=True, blank=True,
                                        validators=[MinValueValidator(0, NOT_NEGATIVE),
                                                    MaxValueValidator(BANDWIDTH_MAX_MBPS, _("Băng thông quá lớn."))])
    computers_teaching = count_field("máy tính dùng cho dạy học")
    computers_pupils = count_field("máy tính cho học sinh")

    COUNT_FIELDS = ("pupils", "classes", "classrooms_solid", "classrooms_semi_solid", "classrooms_temporary",
                    "classrooms_borrowed", "classrooms_in_use", "classrooms_need_repair", "subject_rooms",
                    "library_rooms", "computer_rooms", "laboratories", "multipurpose_halls", "medical_rooms",
                    "toilets_male", "toilets_male_standard", "toilets_female", "toilets_female_standard",
                    "toilets_staff", "computers_teaching", "computers_pupils")

    class Meta:
        ordering = ["school_year", "site_id"]
        verbose_name = "cơ sở vật chất điểm trường"
        verbose_name_plural = "cơ sở vật chất điểm trường"
        constraints = [
            models.UniqueConstraint(fields=["site", "school_year"], name="one_facilities_row_per_site_year",
                                    violation_error_message=_("Điểm trường đã có số liệu của năm học này.")),
            # Backs the per-field validators for writes that skip the model (set-based loads).
            models.CheckConstraint(condition=Q(pupils__gte=0, classes__gte=0, classrooms_solid__gte=0,
                                               classrooms_semi_solid__gte=0, classrooms_temporary__gte=0,
                                               classrooms_borrowed__gte=0, classrooms_in_use__gte=0,
                                               classrooms_need_repair__gte=0, toilets_male__gte=0,
                                               toilets_female__gte=0, computers_teaching__gte=0,
                                               computers_pupils__gte=0),
                                   name="facilities_counts_not_negative"),
        ]
        indexes = [models.Index(fields=["school", "school_year"], name="facilities_school_year")]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.school_year}"

    @property
    def classrooms(self) -> int:
        return (self.classrooms_solid or 0) + (self.classrooms_semi_solid or 0) + (self.classrooms_temporary or 0) + (
            self.classrooms_borrowed or 0)

    def clean(self):
        """Counts that contradict each other and areas no site can have, each named on its field."""
        errors: dict[str, str] = {}

        def ok(*fields) -> bool:  # only fields that passed their own validation are compared
            return all(isinstance(getattr(self, f), int) and getattr(self, f) >= 0 for f in fields)

        rooms_fields = ("classrooms_solid", "classrooms_semi_solid", "classrooms_temporary", "classrooms_borrowed")
        if ok(*rooms_fields, "classrooms_in_use") and self.classrooms_in_use > self.classrooms:
            errors["classrooms_in_use"] = _("Số phòng học đang sử dụng (%(used)s) lớn hơn tổng số phòng học "
                                            "(%(total)s).") % {"used": self.classrooms_in_use, "total": self.classrooms}
        if ok(*rooms_fields, "classrooms_need_repair") and self.classrooms_need_repair > self.classrooms:
            errors["classrooms_need_repair"] = _("Số phòng học cần sửa chữa (%(n)s) lớn hơn tổng số phòng học "
                                                 "(%(total)s).") % {"n": self.classrooms_need_repair,
                                                                    "total": self.classrooms}
        for sex, label in (("male", _("nam")), ("female", _("nữ"))):
            total, standard = f"toilets_{sex}", f"toilets_{sex}_standard"
            if ok(total, standard) and getattr(self, standard) > getattr(self, total):
                errors[standard] = _("Số nhà vệ sinh học sinh %(sex)s đạt chuẩn (%(n)s) lớn hơn tổng số nhà vệ sinh "
                                     "học sinh %(sex)s (%(total)s).") % {
                    "sex": label, "n": getattr(self, standard), "total": getattr(self, total)}
        if ok("pupils", "classes"):
            if self.pupils > 0 and self.classes == 0:
                errors["classes"] = _("Điểm trường có học sinh thì phải có ít nhất một lớp.")
            elif self.classes > 0 and self.pupils == 0:
                errors["pupils"] = _("Điểm trường có lớp thì phải có học sinh.")
            elif self.classes and self.pupils > self.classes * PUPILS_PER_CLASS_MAX:
                errors["pupils"] = _("Bình quân %(avg)s học sinh một lớp là không thể (tối đa %(max)s): kiểm tra số "
                                     "học sinh và số lớp.") % {"avg": round(self.pupils / self.classes),
                                                               "max": PUPILS_PER_CLASS_MAX}
        if ok("pupils") and isinstance(self.land_area_m2, int) and self.land_area_m2 >= 0 and self.pupils > 0:
            per_pupil = Decimal(self.land_area_m2) / self.pupils
            if per_pupil < LAND_PER_PUPIL_MIN:
                errors["land_area_m2"] = _("Diện tích đất %(per)s m²/học sinh là quá nhỏ (ít nhất %(min)s m²): kiểm tra "
                                           "đơn vị (m², không phải ha).") % {"per": round(per_pupil, 2),
                                                                               "min": LAND_PER_PUPIL_MIN}
            elif per_pupil > LAND_PER_PUPIL_MAX:
                errors["land_area_m2"] = _("Diện tích đất %(per)s m²/học sinh là quá lớn (tối đa %(max)s m²): kiểm tra "
                                           "đơn vị.") % {"per": round(per_pupil), "max": LAND_PER_PUPIL_MAX}
        area = self.classroom_floor_area_m2
        if isinstance(area, int) and area >= 0 and ok(*rooms_fields):
            own = self.classrooms - self.classrooms_borrowed
            if own == 0 and area > 0:
                errors["classroom_floor_area_m2"] = _("Có diện tích phòng học nhưng không có phòng học nào của trường.")
            elif own and not CLASSROOM_AREA_MIN <= area / own <= CLASSROOM_AREA_MAX:
                errors["classroom_floor_area_m2"] = _("Bình quân %(avg)s m² một phòng học là không thể (từ %(min)s đến "
                                                      "%(max)s m²).") % {"avg": round(area / own),
                                                                         "min": CLASSROOM_AREA_MIN,
                                                                         "max": CLASSROOM_AREA_MAX}
        if self.internet == Internet.NONE and self.internet_mbps:
            errors["internet_mbps"] = _("Không có internet thì không có băng thông: để trống.")
        if ok("computer_rooms", "computers_pupils") and self.computer_rooms > 0 and self.computers_pupils == 0:
            errors["computers_pupils"] = _("Có phòng tin học thì phải có máy tính cho học sinh.")
        if errors:
            raise ValidationError(errors)


class Circular(models.TextChoices):
    """The ministry's minimum equipment lists (danh mục thiết bị dạy học tối thiểu)."""

    PRESCHOOL = "tt02_2010", _("Thông tư 02/2010/TT-BGDĐT (sửa đổi bởi Thông tư 34/2013/TT-BGDĐT) – mầm non")
    PRIMARY = "tt37_2021", _("Thông tư 37/2021/TT-BGDĐT – tiểu học")
    LOWER_SECONDARY = "tt38_2021", _("Thông tư 38/2021/TT-BGDĐT – trung học cơ sở")
    UPPER_SECONDARY = "tt39_2021", _("Thông tư 39/2021/TT-BGDĐT – trung học phổ thông")


class QuantityBasis(models.TextChoices):
    PER_SCHOOL = "school", _("mỗi trường")
    PER_GRADE = "grade", _("mỗi khối lớp")
    PER_CLASS = "class", _("mỗi lớp")


class EquipmentItem(models.Model):
    """One item of a minimum list, with the least quantity a school must hold and per what. Grades 0-12
    (0: preschool, the age group in the name)."""

    code = models.CharField("mã thiết bị", max_length=30, unique=True)
    name = models.CharField("tên thiết bị", max_length=200)
    level = models.CharField("cấp học", max_length=20, choices=SchoolLevel.choices)
    grade_from = models.PositiveSmallIntegerField("từ khối lớp", validators=[MaxValueValidator(12)])
    grade_to = models.PositiveSmallIntegerField("đến khối lớp", validators=[MaxValueValidator(12)])
    subject = models.CharField("môn học / lĩnh vực", max_length=100)
    circular = models.CharField("văn bản", max_length=12, choices=Circular.choices)
    unit = models.CharField("đơn vị tính", max_length=20, default="bộ")
    min_quantity = models.PositiveSmallIntegerField("số lượng tối thiểu", default=1)
    per = models.CharField("tính theo", max_length=10, choices=QuantityBasis.choices, default=QuantityBasis.PER_SCHOOL)

    class Meta:
        ordering = ["level", "grade_from", "subject", "code"]
        verbose_name = "thiết bị trong danh mục tối thiểu"
        verbose_name_plural = "danh mục thiết bị tối thiểu"
        constraints = [models.CheckConstraint(condition=Q(grade_from__lte=models.F("grade_to")),
                                              name="equipment_grade_range")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EquipmentHolding(TimeStamped):
    """How many of a catalogue item a school holds in a school year, and how many work."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="trường")
    school_year = models.PositiveSmallIntegerField("năm học")
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="holdings", verbose_name="thiết bị")
    quantity = count_field("số lượng hiện có")
    working = count_field("số lượng dùng được")

    class Meta:
        ordering = ["school_year", "item__code"]
        verbose_name = "thiết bị hiện có"
        verbose_name_plural = "thiết bị hiện có"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "item"], name="one_holding_per_school_year_item"),
            models.CheckConstraint(condition=Q(working__gte=0, working__lte=models.F("quantity")),
                                   name="holding_working_within_quantity",
                                   violation_error_message=_("Số lượng dùng được lớn hơn số lượng hiện có.")),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}/{self.item_id}: {self.working}/{self.quantity}"

    def clean(self):
        if isinstance(self.quantity, int) and isinstance(self.working, int) and self.working > self.quantity >= 0:
            raise ValidationError({"working": _("Số lượng dùng được (%(w)s) lớn hơn số lượng hiện có (%(q)s).") % {
                "w": self.working, "q": self.quantity}})


class SchoolStanding(models.Model):
    """A school's standing under Thông tư 13/2020 in a school year, as facilities.standard computes it from the
    school's active sites' rows, with the unmet criteria as codes ([criterion code, level 1 or 2, amount
    missing or null]): the dashboards count it and list a province's schools without evaluating thousands of
    schools while a user waits. Written only by facilities.standings (every refresh of the statistics, for the
    schools it refreshes, in its transaction); a (school, year) without any active site's row has none.

    `province`: the school's, copied when the standing is written, so that a province's list reads its rows by
    (school_year, province) instead of probing the standings school by school (a province has thousands of
    schools: that probing was most of its facilities page's time). Nullable: rows written before it existed
    (or by code that does not fill it) have none until the next refresh.

    The school's name, code, commune, level and ownership are copied too, and whether it meets level 1, so that a
    page of a province's list (50 schools by name) is read from the index `standing_list_order` in its order
    instead of joining and sorting the province's thousands of schools (issue 18: 6 ms of a 30 ms page at national
    size). Like the statistics' own copies, they are the school's as of the last refresh, which a change of the
    school enqueues."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name="trường")
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, null=True, related_name="+",
                                 db_index=False, verbose_name="tỉnh/thành phố")
    school_year = models.PositiveSmallIntegerField("năm học")
    standing = models.CharField("mức đạt chuẩn", max_length=20)
    unmet = models.JSONField("tiêu chí chưa đạt", default=list)
    computed_at = models.DateTimeField("tính lúc")
    # True: level 1 or 2; False: below level 1; None: not assessed under the circular (not listed).
    meets_level_1 = models.BooleanField("đạt mức độ 1 trở lên", null=True, default=None)
    school_name = models.CharField("tên trường", max_length=200, blank=True, default="")
    school_code = models.CharField("mã trường", max_length=20, blank=True, default="")
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, null=True, related_name="+",
                                db_index=False, verbose_name="xã/phường")
    level = models.CharField("cấp học", max_length=20, blank=True, default="")
    ownership = models.CharField("loại hình", max_length=20, blank=True, default="")

    class Meta:
        verbose_name = "mức đạt chuẩn cơ sở vật chất"
        verbose_name_plural = "mức đạt chuẩn cơ sở vật chất"
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="one_standing_per_school_year")]
        indexes = [models.Index(fields=["school_year", "province", "meets_level_1", "school_name", "school"],
                                name="standing_list_order")]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.school_year}: {self.standing}"
