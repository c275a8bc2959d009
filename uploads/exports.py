"""Files the portal writes for people to open in a spreadsheet: templates and error files.

Every cell value goes through `neutralise`, so that nothing written here can run as a formula
when opened (text starting with = + - @ gets a leading apostrophe).
"""
from __future__ import annotations

import csv
import io

from django.utils import translation

from edu_portal.common.importing import RecordImporter, choice_labels, neutralise
from edu_portal.common.importing.parsers import UPLOAD_LANGUAGE
from facilities.models import EquipmentItem
from geo.models import Province
from geo.selectors import ethnic_groups
from students.assessment.reference import CIRCULARS, GRADES, SCORED, grade_reference

ERROR_HEADER = "Lỗi"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_csv(importer: RecordImporter) -> bytes:
    """A header row only, UTF-8 with BOM so that Excel shows the Vietnamese headers correctly."""
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(c.header) for c in importer.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(importer: RecordImporter, *, context=None) -> bytes:
    """Sheet 'Dữ liệu' with the Vietnamese headers (text-formatted so that ID numbers keep their
    leading zeros), and sheet 'Mã hợp lệ' listing every column and its allowed codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    data = book.active
    data.title = "Dữ liệu"
    bold = Font(bold=True)
    for i, column in enumerate(importer.columns, start=1):
        cell = data.cell(row=1, column=i, value=neutralise(column.header))
        cell.font = bold
        if column.required:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        letter = get_column_letter(i)
        data.column_dimensions[letter].width = max(14, len(column.header) + 4)
        # Text format for the whole column: Excel would otherwise drop leading zeros.
        data.column_dimensions[letter].number_format = "@"
        for row in range(2, 1002):
            data.cell(row=row, column=i).number_format = "@"
    data.freeze_panes = "A2"

    codes = book.create_sheet("Mã hợp lệ")
    codes.append(["Cột", "Bắt buộc", "Mô tả", "Giá trị hợp lệ", "Ví dụ"])
    for cell in codes[1]:
        cell.font = bold
    for column in importer.columns:
        allowed = choice_labels(column.choices, "; ")
        codes.append([neutralise(column.header), "Có" if column.required else "Không", neutralise(column.help),
                      neutralise(allowed), neutralise(column.example)])
    if any(c.key in ("birth_province", "province") for c in importer.columns):
        codes.append([])
        codes.append(["Mã tỉnh/thành phố", "", "", ""])
        for code, name in Province.objects.order_by("code").values_list("code", "name"):
            codes.append([code, name])
    if any(c.key == "ethnicity" for c in importer.columns):
        codes.append([])
        codes.append(["Mã dân tộc", "Tên dân tộc (Quyết định 121-TCTK/PPCĐ)", "", ""])
        for code, name in ethnic_groups():
            codes.append([code, name])
    for letter, width in zip("ABCDE", (24, 10, 50, 60, 24), strict=True):
        codes.column_dimensions[letter].width = width
    if any(c.key == "item" for c in importer.columns):
        _equipment_sheet(book.create_sheet("Danh mục thiết bị"), bold)
    if any(c.key == "subject_scores" for c in importer.columns):
        _subjects_sheet(book.create_sheet("Môn học, thang đánh giá"), bold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _equipment_sheet(sheet, bold) -> None:
    """The minimum equipment lists the upload checks items against (facilities.EquipmentItem), by level."""
    sheet.append(["Mã thiết bị", "Tên thiết bị", "Cấp học", "Khối lớp", "Môn học / lĩnh vực", "Văn bản",
                  "Đơn vị tính", "Số lượng tối thiểu", "Tính theo"])
    for cell in sheet[1]:
        cell.font = bold
    with translation.override(UPLOAD_LANGUAGE):  # the file's language, whatever the page's
        for item in EquipmentItem.objects.order_by("level", "grade_from", "subject", "code"):
            grades = str(item.grade_from) if item.grade_from == item.grade_to else f"{item.grade_from}-{item.grade_to}"
            sheet.append([neutralise(v) for v in (item.code, item.name, item.get_level_display(), grades,
                                                  item.subject, item.get_circular_display(), item.unit)]
                         + [item.min_quantity, neutralise(item.get_per_display())])
    for letter, width in zip("ABCDEFGHI", (26, 50, 16, 10, 24, 40, 10, 10, 14), strict=True):
        sheet.column_dimensions[letter].width = width


def _subjects_sheet(sheet, bold) -> None:
    """The rating scale of each level and the subjects of each grade with their official names:
    the same catalogue the upload checks results against (students.assessment.reference)."""
    grades = [grade_reference(grade) for grade in GRADES]
    sheet.append(["Thang đánh giá", "Thông tư", "Kết quả học tập", "Kết quả rèn luyện", "Mức đánh giá môn"])
    for level, first, last in (("primary", 1, 5), ("secondary", 6, 12)):
        scale = next(g for g in grades if g["scale"] == level)
        sheet.append([f"Khối {first}-{last}", CIRCULARS[level],
                      "; ".join(r["label"] for r in scale["learning_ratings"]),
                      "; ".join(r["label"] for r in scale["conduct_ratings"]),
                      "; ".join(scale["subject_ratings"])])
    sheet.append([])
    header = ["Khối lớp", "Môn học (tên chính thức)", "Đánh giá", "Bắt buộc", "Kiểm tra định kì",
              "Tên cũ được chấp nhận"]
    sheet.append(header)
    for row in (sheet[1], sheet[sheet.max_row]):
        for cell in row:
            cell.font = bold
    for grade in grades:
        commented = "Nhận xét: " + "/".join(grade["subject_ratings"])
        for s in grade["subjects"]:
            sheet.append([grade["grade"], neutralise(s["name"]),
                          "Điểm 0-10" if s["assessment"] == SCORED else commented,
                          "Bắt buộc" if s["compulsory"] else "Tự chọn",
                          "Có (điểm 1-10)" if s["periodic_test"] else "",
                          neutralise("; ".join(s["aliases"]))])
    for letter, width in zip("ABCDEF", (10, 40, 44, 40, 40, 50), strict=True):
        sheet.column_dimensions[letter].width = width


class ErrorFileWriter:
    """The failing rows as the user wrote them, plus a column with every error of the row."""

    def __init__(self, path, *, header: list, file_format: str, delimiter: str = ",") -> None:
        self.path, self.file_format, self.rows = path, file_format, 0
        header = [neutralise(h) for h in header] + [ERROR_HEADER]
        if file_format == "xlsx":
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("Dòng lỗi")
            self.sheet.append(header)
        else:
            self.file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by close()
            self.writer = csv.writer(self.file, delimiter=delimiter)
            self.writer.writerow(header)

    def write(self, values: list, messages: list[str]) -> None:
        self.rows += 1
        row = [neutralise(v) for v in values] + [neutralise("; ".join(messages))]
        if self.file_format == "xlsx":
            self.sheet.append(row)
        else:
            self.writer.writerow(row)

    def close(self) -> None:
        if self.file_format == "xlsx":
            self.book.save(self.path)
        else:
            self.file.close()
