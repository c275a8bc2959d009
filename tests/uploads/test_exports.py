"""Upload templates: the results template names the official subjects of each grade and the scales."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

SHEET = "Môn học, thang đánh giá"


def _sheet(client, user, kind):
    client.force_login(user)
    response = client.get(reverse("uploads:template", args=[kind, "xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_results_template_lists_each_grades_subjects_and_the_scales(client, school_user):
    book = _sheet(client, school_user, "results")
    assert book.sheetnames == ["Dữ liệu", "Mã hợp lệ", SHEET]
    rows = [r for r in book[SHEET].iter_rows(values_only=True) if any(r)]
    subjects = {(r[0], r[1]): r for r in rows if isinstance(r[0], int)}
    # (grade, official name): how it is assessed, compulsory or elective, periodic test, old spellings.
    assert subjects[(10, "Vật lí")][2:] == ("Điểm 0-10", "Tự chọn", None, "Vật lý")
    assert subjects[(1, "Hoạt động trải nghiệm")][2:5] == (
        "Nhận xét: Hoàn thành tốt/Hoàn thành/Chưa hoàn thành", "Bắt buộc", None)
    assert subjects[(1, "Toán")][4] == "Có (điểm 1-10)" and (6, "Toán") in subjects
    assert (1, "Vật lí") not in subjects and {g for g, _ in subjects} == set(range(1, 13))
    scales = {r[0]: r for r in rows if isinstance(r[0], str) and r[0].startswith("Khối ")}
    assert scales["Khối 1-5"][1:3] == ("Thông tư 27/2020/TT-BGDĐT",
                                       "Hoàn thành xuất sắc; Hoàn thành tốt; Hoàn thành; Chưa hoàn thành")
    assert scales["Khối 6-12"][1:4] == ("Thông tư 22/2021/TT-BGDĐT", "Tốt; Khá; Đạt; Chưa đạt",
                                        "Tốt; Khá; Đạt; Chưa đạt")


def test_other_templates_have_no_subjects_sheet(client, school_user):
    assert SHEET not in _sheet(client, school_user, "physical").sheetnames
