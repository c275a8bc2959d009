"""The equipment catalogue seeded by migration 0002: a representative subset of the ministry's minimum lists.

It is a SUBSET, not the lists: each circular's annex has hundreds of lines (by subject, grade and topic,
with specifications). We keep a few items per level and subject area, enough to measure a school's equipment
completeness in the same way the full lists would:

- Preschool: Thông tư 02/2010/TT-BGDĐT (11/02/2010, danh mục đồ dùng - đồ chơi - thiết bị dạy học tối thiểu
  dùng cho giáo dục mầm non, for six groups: nhà trẻ 3-12, 12-24, 24-36 tháng; mẫu giáo 3-4, 4-5, 5-6 tuổi),
  as amended by Thông tư 34/2013/TT-BGDĐT. We keep the mẫu giáo groups' furniture, toys and music items, per
  class (all recorded as grade 0).
- Primary: Thông tư 37/2021/TT-BGDĐT (danh mục thiết bị dạy học tối thiểu cấp Tiểu học): Tiếng Việt, Toán,
  Tự nhiên và Xã hội, Khoa học, Tin học và Công nghệ, Âm nhạc, Mĩ thuật, Giáo dục thể chất, Tiếng Anh, and the
  shared devices (thiết bị dùng chung).
- Lower secondary: Thông tư 38/2021/TT-BGDĐT: Khoa học tự nhiên, Toán, Tin học, Lịch sử và Địa lí, Công nghệ,
  Âm nhạc, Mĩ thuật, Giáo dục thể chất, Tiếng Anh, shared devices.
- Upper secondary: Thông tư 39/2021/TT-BGDĐT: Vật lí, Hoá học, Sinh học, Toán, Tin học, Địa lí, Giáo dục quốc
  phòng và an ninh, Giáo dục thể chất, Tiếng Anh, shared devices.

The codes are OUR OWN, descriptive ones (level-subject-item): the annexes number their lines per table, and
those numbers are not stable identifiers across the amended versions, so we do not quote them. Quantities and
their basis (per school, per grade, per class) follow the annexes' pattern: demonstration devices per class or
per school, pupils' kits per class, subject-room devices per school.
"""
from __future__ import annotations

from django.utils.translation import gettext_noop

# The units of the catalogue, in the message catalogue so that pages show them in the reader's language.
UNITS = (gettext_noop("bộ"), gettext_noop("cái"), gettext_noop("quả"))

# (code, name, level, grade_from, grade_to, subject, circular, unit, min_quantity, per)
CATALOGUE: list[tuple] = [
    # --- Mầm non (Thông tư 02/2010, sửa đổi bởi 34/2013): mẫu giáo 3-6 tuổi, per class ---------------------
    ("MN-BAN-GHE-TRE", "Bàn ghế trẻ em (bộ 1 bàn, 2 ghế)", "preschool", 0, 0, "Đồ dùng", "tt02_2010", "bộ", 15, "class"),
    ("MN-GIA-DO-CHOI", "Giá (kệ) để đồ chơi và học liệu", "preschool", 0, 0, "Đồ dùng", "tt02_2010", "cái", 4, "class"),
    ("MN-TU-CA-NHAN", "Tủ (giá) đựng đồ dùng cá nhân của trẻ", "preschool", 0, 0, "Đồ dùng", "tt02_2010", "cái", 1, "class"),
    ("MN-XEP-HINH", "Bộ đồ chơi xếp hình, lắp ghép", "preschool", 0, 0, "Phát triển nhận thức", "tt02_2010", "bộ", 5, "class"),
    ("MN-TRANH-TRUYEN", "Bộ tranh truyện, tranh minh hoạ thơ", "preschool", 0, 0, "Phát triển ngôn ngữ", "tt02_2010", "bộ", 1, "class"),
    ("MN-NHAC-CU-GO", "Bộ nhạc cụ gõ (xắc xô, trống lắc, phách)", "preschool", 0, 0, "Phát triển thẩm mỹ", "tt02_2010", "bộ", 1, "class"),
    ("MN-BONG", "Bóng các loại (bóng nhựa, bóng da)", "preschool", 0, 0, "Phát triển thể chất", "tt02_2010", "quả", 10, "class"),
    ("MN-DAN-ORGAN", "Đàn organ", "preschool", 0, 0, "Phát triển thẩm mỹ", "tt02_2010", "cái", 1, "school"),
    # --- Tiểu học (Thông tư 37/2021) ----------------------------------------------------------------------
    ("TH-TV-BO-CHU", "Bộ chữ dạy tập viết (mẫu chữ phóng to)", "primary", 1, 3, "Tiếng Việt", "tt37_2021", "bộ", 1, "class"),
    ("TH-TV-TRANH", "Tranh minh hoạ kể chuyện", "primary", 1, 5, "Tiếng Việt", "tt37_2021", "bộ", 1, "grade"),
    ("TH-TOAN-SO-PHEP-TINH", "Bộ thiết bị dạy số và phép tính (giáo viên)", "primary", 1, 2, "Toán", "tt37_2021", "bộ", 1, "class"),
    ("TH-TOAN-HINH-HOC", "Bộ thiết bị dạy hình học và đo lường (giáo viên)", "primary", 1, 5, "Toán", "tt37_2021", "bộ", 1, "grade"),
    ("TH-TNXH-TRANH", "Bộ tranh, mô hình Tự nhiên và Xã hội", "primary", 1, 3, "Tự nhiên và Xã hội", "tt37_2021", "bộ", 1, "grade"),
    ("TH-KH-THI-NGHIEM", "Bộ dụng cụ thí nghiệm Khoa học (nhiệt, ánh sáng, âm thanh)", "primary", 4, 5, "Khoa học", "tt37_2021", "bộ", 2, "grade"),
    ("TH-CN-LAP-GHEP", "Bộ lắp ghép mô hình kĩ thuật", "primary", 3, 5, "Công nghệ", "tt37_2021", "bộ", 1, "class"),
    ("TH-TIN-MAY-TINH", "Máy tính cho học sinh (phòng Tin học)", "primary", 3, 5, "Tin học", "tt37_2021", "bộ", 20, "school"),
    ("TH-AN-DAN-PHIM", "Đàn phím điện tử", "primary", 1, 5, "Âm nhạc", "tt37_2021", "cái", 1, "school"),
    ("TH-MT-GIA-VE", "Giá vẽ (bảng vẽ) cá nhân", "primary", 1, 5, "Mĩ thuật", "tt37_2021", "cái", 20, "school"),
    ("TH-GDTC-BONG", "Bộ dụng cụ Giáo dục thể chất (bóng, dây nhảy, cờ, còi)", "primary", 1, 5, "Giáo dục thể chất", "tt37_2021", "bộ", 1, "school"),
    ("TH-TA-LOA", "Thiết bị nghe (đài, loa) dạy Tiếng Anh", "primary", 3, 5, "Tiếng Anh", "tt37_2021", "cái", 1, "grade"),
    ("TH-DUNG-CHUNG-TIVI", "Ti vi hoặc máy chiếu (thiết bị dùng chung)", "primary", 1, 5, "Thiết bị dùng chung", "tt37_2021", "bộ", 2, "school"),
    # --- Trung học cơ sở (Thông tư 38/2021) ----------------------------------------------------------------
    ("THCS-KHTN-KINH-HIEN-VI", "Kính hiển vi quang học", "lower_secondary", 6, 9, "Khoa học tự nhiên", "tt38_2021", "cái", 4, "school"),
    ("THCS-KHTN-DO-DIEN", "Bộ dụng cụ đo điện (đồng hồ đo, nguồn, dây nối)", "lower_secondary", 8, 9, "Khoa học tự nhiên", "tt38_2021", "bộ", 6, "grade"),
    ("THCS-KHTN-CAN", "Cân điện tử", "lower_secondary", 6, 9, "Khoa học tự nhiên", "tt38_2021", "cái", 2, "school"),
    ("THCS-KHTN-HOA-CHAT", "Bộ dụng cụ và hoá chất thí nghiệm Khoa học tự nhiên", "lower_secondary", 6, 9, "Khoa học tự nhiên", "tt38_2021", "bộ", 1, "grade"),
    ("THCS-TOAN-VE-BANG", "Bộ dụng cụ vẽ bảng (thước, compa, ê ke)", "lower_secondary", 6, 9, "Toán", "tt38_2021", "bộ", 1, "grade"),
    ("THCS-TIN-MAY-TINH", "Máy tính cho học sinh (phòng Tin học)", "lower_secondary", 6, 9, "Tin học", "tt38_2021", "bộ", 25, "school"),
    ("THCS-LSDL-BAN-DO", "Bộ bản đồ, lược đồ Lịch sử và Địa lí", "lower_secondary", 6, 9, "Lịch sử và Địa lí", "tt38_2021", "bộ", 1, "grade"),
    ("THCS-LSDL-DIA-CAU", "Quả địa cầu", "lower_secondary", 6, 6, "Lịch sử và Địa lí", "tt38_2021", "quả", 2, "school"),
    ("THCS-CN-DUNG-CU", "Bộ dụng cụ thực hành Công nghệ", "lower_secondary", 6, 9, "Công nghệ", "tt38_2021", "bộ", 1, "grade"),
    ("THCS-AN-DAN-PHIM", "Đàn phím điện tử", "lower_secondary", 6, 9, "Âm nhạc", "tt38_2021", "cái", 1, "school"),
    ("THCS-GDTC-DUNG-CU", "Bộ dụng cụ Giáo dục thể chất (bóng, lưới, đệm nhảy)", "lower_secondary", 6, 9, "Giáo dục thể chất", "tt38_2021", "bộ", 1, "school"),
    ("THCS-TA-LOA", "Thiết bị nghe nhìn dạy Tiếng Anh", "lower_secondary", 6, 9, "Tiếng Anh", "tt38_2021", "bộ", 1, "grade"),
    ("THCS-DUNG-CHUNG-TIVI", "Ti vi hoặc máy chiếu (thiết bị dùng chung)", "lower_secondary", 6, 9, "Thiết bị dùng chung", "tt38_2021", "bộ", 2, "school"),
    # --- Trung học phổ thông (Thông tư 39/2021) --------------------------------------------------------------
    ("THPT-LY-CO-HOC", "Bộ thí nghiệm cơ học", "upper_secondary", 10, 10, "Vật lí", "tt39_2021", "bộ", 6, "school"),
    ("THPT-LY-DIEN", "Bộ thí nghiệm điện và từ", "upper_secondary", 11, 12, "Vật lí", "tt39_2021", "bộ", 6, "school"),
    ("THPT-HOA-TU-HUT", "Tủ hút khí độc", "upper_secondary", 10, 12, "Hoá học", "tt39_2021", "cái", 1, "school"),
    ("THPT-HOA-DUNG-CU", "Bộ dụng cụ và hoá chất thí nghiệm Hoá học", "upper_secondary", 10, 12, "Hoá học", "tt39_2021", "bộ", 1, "grade"),
    ("THPT-SINH-KINH-HIEN-VI", "Kính hiển vi quang học", "upper_secondary", 10, 12, "Sinh học", "tt39_2021", "cái", 6, "school"),
    ("THPT-TOAN-VE-BANG", "Bộ dụng cụ vẽ bảng (thước, compa, ê ke)", "upper_secondary", 10, 12, "Toán", "tt39_2021", "bộ", 1, "grade"),
    ("THPT-TIN-MAY-TINH", "Máy tính cho học sinh (phòng Tin học)", "upper_secondary", 10, 12, "Tin học", "tt39_2021", "bộ", 25, "school"),
    ("THPT-DIA-BAN-DO", "Bộ bản đồ Địa lí", "upper_secondary", 10, 12, "Địa lí", "tt39_2021", "bộ", 1, "grade"),
    ("THPT-QPAN-MO-HINH", "Mô hình súng tiểu liên AK và lựu đạn tập", "upper_secondary", 10, 12, "Giáo dục quốc phòng và an ninh", "tt39_2021", "bộ", 10, "school"),
    ("THPT-GDTC-DUNG-CU", "Bộ dụng cụ Giáo dục thể chất (bóng, lưới, đệm nhảy)", "upper_secondary", 10, 12, "Giáo dục thể chất", "tt39_2021", "bộ", 1, "school"),
    ("THPT-TA-LOA", "Thiết bị nghe nhìn dạy Tiếng Anh", "upper_secondary", 10, 12, "Tiếng Anh", "tt39_2021", "bộ", 1, "grade"),
    ("THPT-DUNG-CHUNG-TIVI", "Ti vi hoặc máy chiếu (thiết bị dùng chung)", "upper_secondary", 10, 12, "Thiết bị dùng chung", "tt39_2021", "bộ", 2, "school"),
]

FIELDS = ("code", "name", "level", "grade_from", "grade_to", "subject", "circular", "unit", "min_quantity", "per")


def catalogue_load(item_model) -> int:
    """Insert or update every item of CATALOGUE by code (migrations pass their historical model)."""
    for row in CATALOGUE:
        values = dict(zip(FIELDS, row, strict=True))
        item_model.objects.update_or_create(code=values.pop("code"), defaults=values)
    return len(CATALOGUE)
