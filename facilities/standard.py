"""The national standard for school facilities: Thông tư 13/2020/TT-BGDĐT (26/05/2020, in force 11/07/2020),
"Quy định tiêu chuẩn cơ sở vật chất các trường mầm non, tiểu học, trung học cơ sở, trung học phổ thông và
trường phổ thông có nhiều cấp học", amended by Thông tư 23/2024/TT-BGDĐT (consolidated: 14/VBHN-BGDĐT, 2024).

Each level has four articles: location, scale and land area (mầm non Điều 5, tiểu học Điều 9, THCS Điều 13,
THPT Điều 17), the minimum facilities (tối thiểu: Điều 6, 10, 14, 18), level 1 (mức độ 1: Điều 7, 11, 15,
19, which "bảo đảm các quy định" of the minimum and adds to it) and level 2 (mức độ 2: Điều 8, 12, 16, 20,
which keeps level 1 and adds to it); Điều 21 applies each level's rules to the parts of a multi-level school.

Here a criterion is data: a code, a label in both languages, the article, the threshold per school level for
level 1 (the minimum articles folded in) and for level 2 (absent: level 1's threshold holds), and a check
over the school's facts (its active sites' rows of the year, summed: SchoolFacts) that says what is
missing. A school meets level 1 when every level-1 criterion of its level holds, level 2 when every
level-2 one holds too. We encode what our records can measure; each criterion says where the circular
needs data we do not hold, and which reading we took then (always the one that does not fail a school for
what we cannot see). Much of the circular (administrative rooms, yards, fences, equipment of each room,
construction grade IV) is not measured here at all.

Continuing-education centres are not covered by Thông tư 13/2020 (their own rules apply): not applicable.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from schools.models import SchoolLevel

from .models import Electricity, Internet, SiteKind, WaterSource

PRESCHOOL, PRIMARY, LOWER, UPPER, MULTI = (SchoolLevel.PRESCHOOL, SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY,
                                           SchoolLevel.UPPER_SECONDARY, SchoolLevel.MULTI_LEVEL)
GENERAL = (PRIMARY, LOWER, UPPER)


class Standing:
    NONE, LEVEL_1, LEVEL_2, NOT_APPLICABLE, NO_DATA = "none", "level_1", "level_2", "not_applicable", "no_data"
    LABELS = {NONE: _("Chưa đạt mức độ 1"), LEVEL_1: _("Đạt mức độ 1"), LEVEL_2: _("Đạt mức độ 2"),
              NOT_APPLICABLE: _("Không thuộc phạm vi Thông tư 13/2020"),
              NO_DATA: _("Chưa có số liệu cơ sở vật chất của năm học")}


@dataclass(frozen=True)
class SiteFacts:
    name: str
    kind: str
    classes: int
    water_source: str
    electricity: str
    internet: str


@dataclass(frozen=True)
class SchoolFacts:
    """A school's facilities in a school year: its active sites' rows summed (selectors.school_facts)."""

    level: str
    sites: tuple[SiteFacts, ...]
    pupils: int = 0
    classes: int = 0
    land_area_m2: int | None = None  # None: some site has none entered
    classrooms_solid: int = 0
    classrooms_semi_solid: int = 0
    classrooms_temporary: int = 0
    classrooms_borrowed: int = 0
    classrooms_in_use: int = 0
    library_rooms: int = 0
    computer_rooms: int = 0
    laboratories: int = 0
    multipurpose_halls: int = 0
    medical_rooms: int = 0
    toilets_male_standard: int = 0
    toilets_female_standard: int = 0

    @property
    def own_classrooms_in_use(self) -> int:
        """The school's own classrooms in use: borrowed rooms are not the school's, and rooms not in use
        do not teach (in-use rooms are taken to be own rooms first)."""
        own = self.classrooms_solid + self.classrooms_semi_solid + self.classrooms_temporary
        return min(own, self.classrooms_in_use)


@dataclass(frozen=True)
class Shortfall:
    """What a criterion lacks: a sentence for people, and the amount (rooms, m², sites...) when it has one."""

    message: str
    missing: Decimal | int | None = None


Check = Callable[[SchoolFacts, object], Shortfall | None]


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    article: str
    level_1: dict = field(default_factory=dict)  # school level -> threshold; absent: not part of level 1
    level_2: dict = field(default_factory=dict)  # absent for a level that has level_1: level 1's holds
    check: Check = None
    data_note: str = ""

    def applies_to(self, level: str) -> bool:
        return level in self.level_1 or level in self.level_2

    def threshold(self, level: str, standard_level: int):
        if standard_level == 1:
            return self.level_1.get(level)
        return self.level_2.get(level, self.level_1.get(level))


# --- the checks ------------------------------------------------------------------------------------------

def _scale(facts: SchoolFacts, bounds) -> Shortfall | None:
    low, high = bounds
    if facts.classes < low:
        return Shortfall(_("Có %(n)s lớp, quy mô tối thiểu là %(low)s lớp: thiếu %(miss)s lớp.")
                         % {"n": facts.classes, "low": low, "miss": low - facts.classes}, low - facts.classes)
    if facts.classes > high:
        return Shortfall(_("Có %(n)s lớp, quy mô tối đa là %(high)s lớp: vượt %(miss)s lớp.")
                         % {"n": facts.classes, "high": high, "miss": facts.classes - high}, facts.classes - high)
    return None


def _sites(facts: SchoolFacts, most) -> Shortfall | None:
    n = len(facts.sites)
    if n > most:
        return Shortfall(_("Có %(n)s điểm trường, tối đa %(most)s: nhiều hơn %(miss)s điểm trường.")
                         % {"n": n, "most": most, "miss": n - most}, n - most)
    return None


def _land(facts: SchoolFacts, per_pupil) -> Shortfall | None:
    if facts.land_area_m2 is None:
        return Shortfall(_("Chưa nhập diện tích khu đất của mọi điểm trường."))
    need = math.ceil(Decimal(per_pupil) * facts.pupils) - facts.land_area_m2
    if need > 0:
        return Shortfall(_("Diện tích đất %(land)s m² cho %(pupils)s học sinh; cần bình quân %(per)s m²/học sinh: "
                           "thiếu %(miss)s m².") % {"land": facts.land_area_m2, "pupils": facts.pupils,
                                                   "per": per_pupil, "miss": need}, need)
    return None


def _classrooms(facts: SchoolFacts, ratio) -> Shortfall | None:
    need = math.ceil(Decimal(ratio) * facts.classes) - facts.own_classrooms_in_use
    if need > 0:
        return Shortfall(_("Có %(rooms)s phòng học của trường đang dùng cho %(classes)s lớp; cần %(ratio)s phòng/lớp: "
                           "thiếu %(miss)s phòng học.") % {"rooms": facts.own_classrooms_in_use,
                                                           "classes": facts.classes, "ratio": ratio, "miss": need},
                         need)
    return None


def _toilets(facts: SchoolFacts, per) -> Shortfall | None:
    """`per`: pupils per toilet (male, female); pupils by sex are not on the facilities rows: half each."""
    male_per, female_per = per
    half = Decimal(facts.pupils) / 2
    miss_m = max(0, math.ceil(half / male_per) - facts.toilets_male_standard)
    miss_f = max(0, math.ceil(half / female_per) - facts.toilets_female_standard)
    if miss_m or miss_f:
        return Shortfall(_("Thiếu nhà vệ sinh học sinh đạt chuẩn: %(m)s cho nam (1 cho %(mp)s học sinh nam), %(f)s cho "
                           "nữ (1 cho %(fp)s học sinh nữ).") % {"m": miss_m, "mp": male_per, "f": miss_f,
                                                                 "fp": female_per}, miss_m + miss_f)
    return None


def _toilets_per_class(facts: SchoolFacts, per_class) -> Shortfall | None:
    have = facts.toilets_male_standard + facts.toilets_female_standard
    need = per_class * facts.classes - have
    if need > 0:
        return Shortfall(_("Có %(have)s khu vệ sinh đạt chuẩn cho %(classes)s nhóm, lớp: thiếu %(miss)s.")
                         % {"have": have, "classes": facts.classes, "miss": need}, need)
    return None


def _rooms(attribute: str, noun) -> Check:
    def check(facts: SchoolFacts, least) -> Shortfall | None:
        have = getattr(facts, attribute)
        if have < least:
            return Shortfall(_("Có %(have)s %(noun)s, cần ít nhất %(least)s: thiếu %(miss)s.")
                             % {"have": have, "noun": noun, "least": least, "miss": least - have}, least - have)
        return None
    return check


def _every_site(attribute: str, none_value: str, message) -> Check:
    def check(facts: SchoolFacts, _required) -> Shortfall | None:
        lacking = [s.name for s in facts.sites if getattr(s, attribute) == none_value]
        if lacking:
            return Shortfall(message % {"sites": ", ".join(lacking)}, len(lacking))
        return None
    return check


def _internet_main(facts: SchoolFacts, _required) -> Shortfall | None:
    main = [s for s in facts.sites if s.kind == SiteKind.MAIN]
    if not main or main[0].internet == Internet.NONE:
        return Shortfall(_("Điểm trường chính chưa có kết nối internet."), 1)
    return None


def _all_solid(facts: SchoolFacts, _required) -> Shortfall | None:
    other = facts.classrooms_semi_solid + facts.classrooms_temporary + facts.classrooms_borrowed
    if other:
        return Shortfall(_("Còn %(n)s phòng học chưa kiên cố (bán kiên cố %(semi)s, tạm %(temp)s, nhờ/mượn %(b)s).")
                         % {"n": other, "semi": facts.classrooms_semi_solid, "temp": facts.classrooms_temporary,
                            "b": facts.classrooms_borrowed}, other)
    return None


# --- the criteria ----------------------------------------------------------------------------------------

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "scale_classes", _("Quy mô số lớp"), _("Điều 5, 9, 13, 17 (khoản 2)"),
        level_1={PRESCHOOL: (5, 20), PRIMARY: (5, 30), LOWER: (8, 45), UPPER: (15, 45)},
        check=_scale,
        data_note=_("Mầm non 9-20 nhóm/lớp, tiểu học 10-30 lớp; ở xã vùng khó khăn tối thiểu 5. Chúng tôi không có "
                    "thông tin xã vùng khó khăn nên áp dụng mức tối thiểu 5. THCS 8-45, THPT 15-45 lớp.")),
    Criterion(
        "sites_count", _("Số điểm trường"), _("Điều 5, 9, 13 (khoản 2)"),
        level_1={PRESCHOOL: 8, PRIMARY: 8, LOWER: 2},
        check=_sites,
        data_note=_("Mầm non, tiểu học không quá 5 điểm trường (xã vùng khó khăn không quá 8: áp dụng 8 vì chúng tôi "
                    "không có thông tin vùng khó khăn); THCS không quá 2.")),
    Criterion(
        "land_per_pupil", _("Diện tích khu đất bình quân mỗi học sinh"), _("Điều 5, 9, 13, 17 (khoản 3)"),
        level_1={PRESCHOOL: 8, PRIMARY: 8, LOWER: 8, UPPER: 10},
        check=_land,
        data_note=_("Mầm non 12 m²/trẻ (8 m² ở đô thị, miền núi), tiểu học và THCS 10 m²/học sinh (8 m² ở đô thị miền "
                    "núi, trung tâm đô thị ít đất), THPT 10 m². Chúng tôi không có loại địa bàn nên áp dụng mức thấp "
                    "hơn; Thông tư 23/2024 sửa đổi một số mức này. Diện tích cho nội trú (6 m²/học sinh nội trú) chưa "
                    "được tính vì chưa có số học sinh nội trú.")),
    Criterion(
        "classrooms_per_class", _("Phòng học trên số lớp"), _("Điều 6, 10, 14, 18 (khoản 2)"),
        level_1={PRESCHOOL: 1, PRIMARY: 1, LOWER: Decimal("0.6"), UPPER: Decimal("0.6")},
        check=_classrooms,
        data_note=_("Mầm non, tiểu học: mỗi nhóm/lớp có một phòng; THCS, THPT: tối thiểu 0,6 phòng/lớp. Tính phòng "
                    "học của trường đang sử dụng (không tính phòng nhờ, mượn).")),
    Criterion(
        "pupil_toilets", _("Nhà vệ sinh học sinh đạt chuẩn"), _("Điều 10, 14, 18 (khối phụ trợ)"),
        level_1={PRIMARY: (30, 20), LOWER: (30, 20), UPPER: (30, 20)},
        check=_toilets,
        data_note=_("Nam 1 xí, 1 tiểu cho 30 học sinh; nữ 1 xí cho 20 học sinh (Điều 10, áp dụng như nhau cho THCS, "
                    "THPT). Số học sinh theo giới tính chưa có trên số liệu cơ sở vật chất: tính mỗi giới một nửa.")),
    Criterion(
        "preschool_toilets", _("Khu vệ sinh của nhóm, lớp"), _("Điều 6 (khoản 2)"),
        level_1={PRESCHOOL: 1},
        check=_toilets_per_class,
        data_note=_("Mỗi phòng nuôi dưỡng, chăm sóc, giáo dục trẻ có khu vệ sinh liền kề: tính một khu vệ sinh đạt "
                    "chuẩn cho mỗi nhóm, lớp.")),
    Criterion(
        "medical_room", _("Phòng y tế trường học"), _("Điều 6, 10, 14, 18"),
        level_1={PRESCHOOL: 1, PRIMARY: 1, LOWER: 1, UPPER: 1, MULTI: 1},
        check=_rooms("medical_rooms", _("phòng y tế"))),
    Criterion(
        "library", _("Thư viện"), _("Điều 10, 14, 18 (khối phòng hỗ trợ học tập)"),
        level_1={PRIMARY: 1, LOWER: 1, UPPER: 1, MULTI: 1},
        check=_rooms("library_rooms", _("thư viện"))),
    Criterion(
        "computer_room", _("Phòng Tin học"), _("Điều 10, 14, 18 (phòng học bộ môn)"),
        level_1={PRIMARY: 1, LOWER: 1, UPPER: 1, MULTI: 1},
        check=_rooms("computer_rooms", _("phòng Tin học"))),
    Criterion(
        "laboratory", _("Phòng học bộ môn thí nghiệm"), _("Điều 14, 18 (phòng học bộ môn)"),
        level_1={LOWER: 1, UPPER: 1, MULTI: 1},
        check=_rooms("laboratories", _("phòng thí nghiệm")),
        data_note=_("Thông tư quy định từng phòng bộ môn (Khoa học tự nhiên; Vật lí, Hoá học, Sinh học) và số phòng "
                    "theo số lớp; chúng tôi chỉ có tổng số phòng thí nghiệm nên kiểm tra có ít nhất một phòng.")),
    Criterion(
        "clean_water", _("Nước sạch ở mọi điểm trường"), _("Điều 6, 10, 14, 18 (khối hạ tầng kỹ thuật)"),
        level_1={PRESCHOOL: True, PRIMARY: True, LOWER: True, UPPER: True, MULTI: True},
        check=_every_site("water_source", WaterSource.NONE, _("Điểm trường chưa có nước sạch: %(sites)s."))),
    Criterion(
        "electricity", _("Điện ở mọi điểm trường"), _("Điều 6, 10, 14, 18 (khối hạ tầng kỹ thuật)"),
        level_1={PRESCHOOL: True, PRIMARY: True, LOWER: True, UPPER: True, MULTI: True},
        check=_every_site("electricity", Electricity.NONE, _("Điểm trường chưa có điện: %(sites)s."))),
    Criterion(
        "internet", _("Kết nối internet"), _("Điều 6, 10, 14, 18 (khối hạ tầng kỹ thuật)"),
        level_1={PRESCHOOL: True, PRIMARY: True, LOWER: True, UPPER: True, MULTI: True},
        check=_internet_main,
        data_note=_("Hệ thống công nghệ thông tin kết nối internet phục vụ quản lý và dạy học: kiểm tra ở điểm "
                    "trường chính.")),
    Criterion(
        "multipurpose_hall", _("Nhà đa năng"), _("Điều 12, 16, 20 (khu sân chơi, thể dục thể thao)"),
        # A multi-level school applies each of its levels' rules (Điều 21); every general level's level 2 asks
        # for a hall and solid classrooms, so a multi-level school's does too (else its level 2 asked nothing).
        level_2={PRIMARY: 1, LOWER: 1, UPPER: 1, MULTI: 1},
        check=_rooms("multipurpose_halls", _("nhà đa năng"))),
    Criterion(
        "all_classrooms_solid", _("Phòng học kiên cố"), _("Điều 8, 12, 16, 20"),
        level_2={PRESCHOOL: True, PRIMARY: True, LOWER: True, UPPER: True, MULTI: True},
        check=_all_solid,
        data_note=_("Mức độ 2: tất cả các hạng mục công trình được xây dựng kiên cố; chúng tôi kiểm tra các phòng học "
                    "(không còn phòng bán kiên cố, tạm, nhờ/mượn).")),
)

NOTE_MULTI_LEVEL = _("Trường phổ thông có nhiều cấp học (Điều 21) áp dụng tiêu chuẩn của từng cấp cho phần của cấp đó; "
                     "số liệu phòng học được ghi chung cho cả trường nên chỉ các tiêu chí hạ tầng và phòng chức năng "
                     "được đánh giá.")


@dataclass(frozen=True)
class Unmet:
    criterion: Criterion
    standard_level: int  # the level (1 or 2) whose threshold is not met
    shortfall: Shortfall


@dataclass(frozen=True)
class StandardResult:
    standing: str
    unmet: tuple[Unmet, ...] = ()
    criteria: tuple[Criterion, ...] = ()

    @property
    def label(self) -> str:
        return Standing.LABELS[self.standing]


def evaluate(facts: SchoolFacts) -> StandardResult:
    """The standing of a school from its facts: level 2 when every criterion of both levels holds, level 1
    when every level-1 criterion holds, none otherwise; with every unmet criterion and what it lacks (those of
    level 1 first)."""
    if facts.level == SchoolLevel.CONTINUING:
        return StandardResult(Standing.NOT_APPLICABLE)
    criteria = tuple(c for c in CRITERIA if c.applies_to(facts.level))
    unmet: list[Unmet] = []
    for standard_level in (1, 2):
        for criterion in criteria:
            threshold = criterion.threshold(facts.level, standard_level)
            if threshold is None:
                continue
            if standard_level == 2 and criterion.threshold(facts.level, 1) == threshold:
                continue  # the same rule as level 1: reported once
            shortfall = criterion.check(facts, threshold)
            if shortfall is not None:
                unmet.append(Unmet(criterion, standard_level, shortfall))
    levels_failed = {u.standard_level for u in unmet}
    standing = Standing.NONE if 1 in levels_failed else Standing.LEVEL_1 if 2 in levels_failed else Standing.LEVEL_2
    return StandardResult(standing, tuple(unmet), criteria)
