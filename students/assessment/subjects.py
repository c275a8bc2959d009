"""The subjects of the 2018 general education programme (Thông tư 32/2018/TT-BGDĐT) by grade.

One row of students/data/subjects_2018.csv per subject and grade range: a subject can change its
status between levels (Toán is rated at primary and scored at secondary; Ngoại ngữ 1 is elective in
grades 1-2 and compulsory from grade 3), so a code may have several rows, never overlapping.
How a subject is assessed follows Thông tư 27/2020 (primary: every subject rated, some with a
periodic test scored 1-10) and Thông tư 22/2021 Điều 5 (secondary: commented or scored 0-10).
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_noop

SUBJECTS_CSV = Path(__file__).resolve().parent.parent / "data" / "subjects_2018.csv"

SCORED, COMMENTED = "scored", "commented"
PRIMARY_GRADES, SECONDARY_GRADES = range(1, 6), range(6, 13)

# Spellings found in schools' files (the 2006 programme's names, Northern spellings, abbreviations)
# -> the code of the official subject. Names are compared case-, whitespace- and NFC-insensitively.
ALIASES = {
    "Toán học": "toan",
    "Vật lý": "vat_li",
    "Hóa học": "hoa_hoc",
    "Địa lý": "dia_li",
    "Lịch sử và Địa lý": "lich_su_dia_li",
    "Lịch sử - Địa lí": "lich_su_dia_li",
    "Lịch sử - Địa lý": "lich_su_dia_li",
    "Mỹ thuật": "mi_thuat",
    "Thể dục": "giao_duc_the_chat",
    "GDTC": "giao_duc_the_chat",
    "GDCD": "giao_duc_cong_dan",
    "KHTN": "khoa_hoc_tu_nhien",
    "Tiếng Anh": "ngoai_ngu_1",
    "Văn": "ngu_van",
    "Ngữ Văn": "ngu_van",
    "GDQP-AN": "giao_duc_quoc_phong",
    "GDQP&AN": "giao_duc_quoc_phong",
    "GDQPAN": "giao_duc_quoc_phong",
    "GD KT&PL": "giao_duc_kinh_te_phap_luat",
    "GDKT&PL": "giao_duc_kinh_te_phap_luat",
    "HĐTN": "hoat_dong_trai_nghiem",
    "HĐTN-HN": "hoat_dong_trai_nghiem",
    "HĐTN, HN": "hoat_dong_trai_nghiem",
    "Hoạt động trải nghiệm": "hoat_dong_trai_nghiem",
    "Hoạt động trải nghiệm, hướng nghiệp": "hoat_dong_trai_nghiem",
    "Tin học và công nghệ": "tin_hoc_cong_nghe",
    "Tiếng dân tộc": "tieng_dan_toc",
    "GDĐP": "giao_duc_dia_phuong",
    "Giáo dục địa phương": "giao_duc_dia_phuong",
}


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    first_grade: int
    last_grade: int
    assessment: str                     # SCORED | COMMENTED
    compulsory: bool
    periodic_test_from_grade: int | None  # primary subjects with a periodic test (Thông tư 27/2020 Điều 7)

    @property
    def scored(self) -> bool:
        return self.assessment == SCORED

    def taught_in(self, grade: int) -> bool:
        return self.first_grade <= grade <= self.last_grade

    def has_periodic_test(self, grade: int) -> bool:
        return self.periodic_test_from_grade is not None and grade >= self.periodic_test_from_grade


def name_key(name: str) -> str:
    """Case-, whitespace- and Unicode-form-insensitive key of a subject name ("Hoá"/"Hóa" differ
    in letters, not in form: the aliases carry those)."""
    text = unicodedata.normalize("NFC", str(name))
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


@cache
def catalogue() -> tuple[Subject, ...]:
    with open(SUBJECTS_CSV, encoding="utf-8", newline="") as f:
        return tuple(
            Subject(code=r["code"], name=r["name"], first_grade=int(r["first_grade"]), last_grade=int(r["last_grade"]),
                    assessment=r["assessment"], compulsory=r["compulsory"] == "1",
                    periodic_test_from_grade=int(r["periodic_test_from_grade"]) if r["periodic_test_from_grade"]
                    else None)
            for r in csv.DictReader(f))


@cache
def _codes_by_key() -> dict[str, str]:
    lookup = {name_key(s.name): s.code for s in catalogue()}
    lookup.update({name_key(s.code): s.code for s in catalogue()})
    lookup.update({name_key(alias): code for alias, code in ALIASES.items()})
    return lookup


def subjects_for(grade: int) -> list[Subject]:
    """The programme's subjects of a grade (1-12), compulsory first, in the catalogue's order."""
    rows = [s for s in catalogue() if s.taught_in(grade)]
    return sorted(rows, key=lambda s: not s.compulsory)


def subject_lookup(name: str, grade: int) -> tuple[Subject | None, str | None]:
    """The official subject a name (or an old spelling) stands for in a grade's programme, or the
    reason it is none."""
    code = _codes_by_key().get(name_key(name))
    if code is None:
        return None, f"môn '{name}' không có trong chương trình giáo dục phổ thông 2018"
    for subject in catalogue():
        if subject.code == code and subject.taught_in(grade):
            return subject, None
    taught = sorted({s.name for s in catalogue() if s.code == code})
    return None, f"môn '{name}' ({', '.join(taught)}) không có trong chương trình lớp {grade}"


def missing_compulsory(grade: int, codes: set[str]) -> list[Subject]:
    """Compulsory subjects of the grade absent from `codes`. Nghệ thuật (grades 6-9) is taught as
    Âm nhạc and Mĩ thuật, and schools report either the whole or its parts."""
    present = set(codes)
    if present & {"am_nhac", "mi_thuat"}:
        present.add("nghe_thuat")
    return [s for s in subjects_for(grade) if s.compulsory and s.code not in present]


# The subjects' names (students/data/subjects_2018.csv) in the catalogue, so that pages show them in the reader's
# language (the `stored` filter): the file stays the one source of the names the schools' files are read by.
SUBJECT_NAMES = (
    gettext_noop("Tiếng Việt"), gettext_noop("Toán"), gettext_noop("Đạo đức"), gettext_noop("Tự nhiên và Xã hội"),
    gettext_noop("Ngoại ngữ 1"), gettext_noop("Lịch sử và Địa lí"), gettext_noop("Khoa học"),
    gettext_noop("Tin học và Công nghệ"), gettext_noop("Giáo dục thể chất"), gettext_noop("Âm nhạc"),
    gettext_noop("Mĩ thuật"), gettext_noop("Hoạt động trải nghiệm"), gettext_noop("Tiếng dân tộc thiểu số"),
    gettext_noop("Ngữ văn"), gettext_noop("Giáo dục công dân"), gettext_noop("Khoa học tự nhiên"),
    gettext_noop("Công nghệ"), gettext_noop("Tin học"), gettext_noop("Nghệ thuật"),
    gettext_noop("Hoạt động trải nghiệm, hướng nghiệp"), gettext_noop("Nội dung giáo dục của địa phương"),
    gettext_noop("Ngoại ngữ 2"), gettext_noop("Lịch sử"), gettext_noop("Giáo dục quốc phòng và an ninh"),
    gettext_noop("Địa lí"), gettext_noop("Giáo dục kinh tế và pháp luật"), gettext_noop("Vật lí"),
    gettext_noop("Hoá học"), gettext_noop("Sinh học"),
)
