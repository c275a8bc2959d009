"""The facilities indicators (issue 18): ratios of the facilities sums of dashboards/metrics.py (source
"facility", "equipment", "standing"), one definition each, shown beside them on the pages and in the API.

Each is computed from sums over the selection (a school, a commune, a province, the country), never as an
average of the units' ratios, so that a figure is the same wherever it is shown.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .flows import Definition
from .metrics import METRIC_NAMES

FACILITY_METRICS: list[str] = [m for m in METRIC_NAMES if m.startswith("fac_")]

SOURCE = _("Số liệu cơ sở vật chất từng điểm trường đang sử dụng của năm học (do trường nhập qua biểu mẫu, tệp "
           "tải lên hoặc API); điểm trường chưa có số liệu của năm học không được tính.")
EQUIPMENT_SOURCE = _("Thiết bị hiện có của trường trong năm học so với danh mục thiết bị dạy học tối thiểu (Thông tư "
                     "02/2010, 37/2021, 38/2021, 39/2021) của các khối lớp trường dạy; trường có số liệu cơ sở vật chất "
                     "hoặc thiết bị của năm học.")
STANDARD_SOURCE = _("Mức đạt chuẩn của từng trường tính từ số liệu cơ sở vật chất theo các tiêu chí của Thông tư "
                    "13/2020/TT-BGDĐT (sửa đổi bởi Thông tư 23/2024) mà số liệu đo được; không áp dụng cho trung tâm "
                    "giáo dục thường xuyên.")

# (key, numerator sum, denominator sum, scale)
RATIOS = {
    "classrooms_per_class": ("fac_classrooms", "fac_classes", 1),
    "solid_pct": ("fac_classrooms_solid", "fac_classrooms", 100),
    "pupils_per_toilet": ("fac_pupils", "fac_toilets", 1),
    "toilets_standard_pct": ("fac_toilets_standard", "fac_toilets", 100),
    "water_pct": ("fac_sites_water", "fac_sites", 100),
    "power_pct": ("fac_sites_power", "fac_sites", 100),
    "internet_pct": ("fac_sites_internet", "fac_sites", 100),
    "pupils_per_computer": ("fac_pupils", "fac_computers_pupils", 1),
    "equipment_pct": ("fac_equipment_present", "fac_equipment_required", 100),
    "standard_1_pct": ("fac_std_level_1", "fac_std_assessed", 100),
    "standard_2_pct": ("fac_std_level_2", "fac_std_assessed", 100),
}


# The sums the ratios read, each read once a row (14 for 22 reads), and the ratios by their positions.
_SUMS = tuple(dict.fromkeys(name for num, den, _scale in RATIOS.values() for name in (num, den)))
_RATIOS = tuple((key, _SUMS.index(num), _SUMS.index(den), scale) for key, (num, den, scale) in RATIOS.items())


def derive_facilities(row: dict) -> dict:
    """The indicators of a row of sums, rounded to two decimals (None when the denominator is 0). Runs for
    each of a province's 168 communes: the ratios unpacked once, each sum read once."""
    get = row.get
    sums = [get(name) or 0 for name in _SUMS]
    for key, num, den, scale in _RATIOS:
        d = sums[den]
        row[key] = round(sums[num] * scale / d, 2) if d else None
    return row


DEFINITIONS = (
    Definition("classrooms_per_class", _("Phòng học trên lớp"), _("phòng học ÷ số lớp"),
               _("Phòng học của các điểm trường (kiên cố, bán kiên cố, tạm, nhờ/mượn)"),
               _("Số lớp học tại các điểm trường"), SOURCE),
    Definition("solid_pct", _("Tỉ lệ phòng học kiên cố (%)"), _("phòng học kiên cố ÷ phòng học × 100"),
               _("Phòng học kiên cố"), _("Phòng học (kiên cố, bán kiên cố, tạm, nhờ/mượn)"), SOURCE),
    Definition("pupils_per_toilet", _("Học sinh trên một nhà vệ sinh"), _("học sinh ÷ nhà vệ sinh học sinh"),
               _("Học sinh học tại các điểm trường"), _("Nhà vệ sinh học sinh (nam và nữ)"), SOURCE),
    Definition("toilets_standard_pct", _("Tỉ lệ nhà vệ sinh học sinh đạt chuẩn (%)"),
               _("nhà vệ sinh đạt chuẩn vệ sinh ÷ nhà vệ sinh học sinh × 100"),
               _("Nhà vệ sinh học sinh đạt chuẩn vệ sinh"), _("Nhà vệ sinh học sinh (nam và nữ)"), SOURCE),
    Definition("water_pct", _("Tỉ lệ điểm trường có nước sạch (%)"), _("điểm trường có nước sạch ÷ điểm trường × 100"),
               _("Điểm trường có nguồn nước sạch (nước máy, giếng, nước mưa, nước tự chảy, nguồn khác)"),
               _("Điểm trường đang sử dụng có số liệu của năm học"), SOURCE),
    Definition("power_pct", _("Tỉ lệ điểm trường có điện (%)"), _("điểm trường có điện ÷ điểm trường × 100"),
               _("Điểm trường có điện lưới hoặc nguồn điện riêng"),
               _("Điểm trường đang sử dụng có số liệu của năm học"), SOURCE),
    Definition("internet_pct", _("Tỉ lệ điểm trường có internet (%)"), _("điểm trường có internet ÷ điểm trường × 100"),
               _("Điểm trường có kết nối internet (cáp quang, ADSL, di động, vệ tinh)"),
               _("Điểm trường đang sử dụng có số liệu của năm học"), SOURCE),
    Definition("pupils_per_computer", _("Học sinh trên một máy tính"), _("học sinh ÷ máy tính cho học sinh"),
               _("Học sinh học tại các điểm trường"), _("Máy tính cho học sinh (không tính máy dùng cho dạy học)"),
               SOURCE),
    Definition("equipment_pct", _("Mức độ đầy đủ thiết bị dạy học (%)"),
               _("thiết bị dùng được (mỗi loại tính đến mức tối thiểu) ÷ thiết bị tối thiểu phải có × 100"),
               _("Số thiết bị dùng được của từng loại trong danh mục, mỗi loại không quá số lượng tối thiểu"),
               _("Số lượng tối thiểu của từng loại theo danh mục: theo trường, theo khối lớp hoặc theo lớp"),
               EQUIPMENT_SOURCE),
    Definition("standard_1_pct", _("Tỉ lệ trường đạt chuẩn cơ sở vật chất mức độ 1 (%)"),
               _("trường đạt mức độ 1 hoặc mức độ 2 ÷ trường được đánh giá × 100"),
               _("Trường đạt mọi tiêu chí mức độ 1 của cấp học (kể cả trường đạt mức độ 2)"),
               _("Trường có số liệu cơ sở vật chất của năm học, thuộc phạm vi Thông tư 13/2020"), STANDARD_SOURCE),
    Definition("standard_2_pct", _("Tỉ lệ trường đạt chuẩn cơ sở vật chất mức độ 2 (%)"),
               _("trường đạt mức độ 2 ÷ trường được đánh giá × 100"),
               _("Trường đạt mọi tiêu chí mức độ 1 và mức độ 2 của cấp học"),
               _("Trường có số liệu cơ sở vật chất của năm học, thuộc phạm vi Thông tư 13/2020"), STANDARD_SOURCE),
)
DEFINITION_BY_KEY = {d.key: d for d in DEFINITIONS}
