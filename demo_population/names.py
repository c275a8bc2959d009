"""Vietnamese names with diacritics, weighted roughly as they occur (NFC)."""

# Family names and rough shares (Nguyễn ~38%).
FAMILY_NAMES = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Huỳnh", 30),
    ("Phan", 45), ("Vũ", 39), ("Võ", 25), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 6), ("Trương", 6), ("Lương", 4), ("Mai", 4),
    ("Tạ", 3), ("Lò", 2), ("Hà", 4), ("Cao", 3), ("Lâm", 3), ("Quách", 2), ("Triệu", 2), ("Thái", 2),
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Gia", "Bảo", "Đình", "Xuân", "Anh",
               "Hoàng", "Trung", "Tuấn", "Ngọc", "Thanh"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hoài", "Bảo", "Khánh", "Mai", "Diệu",
                 "Hồng", "Kim", "Quỳnh", "Tuệ", "Gia"]
GIVEN_MALE = ["An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng",
              "Hùng", "Huy", "Khang", "Khoa", "Khôi", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa",
              "Nhân", "Phát", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh",
              "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Kiệt", "Nguyên", "Đăng"]
GIVEN_FEMALE = ["An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng",
                "Hân", "Hiền", "Hoa", "Hương", "Huyền", "Khánh", "Lan", "Linh", "Loan", "Ly", "Mai", "My",
                "Nga", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo",
                "Thư", "Thủy", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Yến", "Hoa", "Tuyết", "Đào"]
# Official names of Quyết định 121-TCTK/PPCĐ (geo/data/ethnic_groups.csv), as the portal stores them.
ETHNICITIES = [("Kinh", 853), ("Tày", 19), ("Thái", 18), ("Mường", 15), ("Khơ-me", 13), ("Hoa", 8),
               ("Nùng", 11), ("HMông", 15), ("Dao", 9), ("Gia-rai", 5), ("Ê-đê", 4), ("Ba-na", 3),
               ("Sán Chay", 2), ("Chăm", 2), ("Cơ-ho", 2), ("Xơ-đăng", 2)]

_FAMILY_TOTAL = sum(w for _, w in FAMILY_NAMES)
_ETHNIC_TOTAL = sum(w for _, w in ETHNICITIES)


def _weighted(pairs, total: int, value: int) -> str:
    value %= total
    for name, weight in pairs:
        if value < weight:
            return name
        value -= weight
    return pairs[-1][0]


def family_name(value: int) -> str:
    return _weighted(FAMILY_NAMES, _FAMILY_TOTAL, value)


def ethnicity(value: int) -> str:
    return _weighted(ETHNICITIES, _ETHNIC_TOTAL, value)


def full_name(value: int, gender: str) -> str:
    middle = MIDDLE_FEMALE if gender == "F" else MIDDLE_MALE
    given = GIVEN_FEMALE if gender == "F" else GIVEN_MALE
    return f"{family_name(value)} {middle[(value >> 12) % len(middle)]} {given[(value >> 20) % len(given)]}"
