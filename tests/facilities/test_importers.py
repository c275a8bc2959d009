"""Facilities by template upload: download the template, fill it in, upload, preview, commit; bad rows named
per row and column with the services' rules, nothing written; scope."""
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import ImportContext
from edu_portal.common.models import current_school_year
from facilities.importers import FACILITIES
from facilities.importers import FIELDS as FACILITIES_ROW_FIELDS
from facilities.models import EquipmentHolding, Site, SiteFacilities
from tests.facilities.helpers import GOOD_PRIMARY, main_site
from tests.factories import SchoolFactory
from tests.uploads.conftest import commit, csv_bytes
from uploads import services
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db
YEAR = current_school_year()


def _xlsx(header: list, rows: list) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(user, content: bytes, kind: str, *, name="mau.csv", school=None):
    upload = services.upload_create(user=user, kind=kind, file=ContentFile(content, name=name), school=school,
                                    enqueue=False)
    return services.upload_validate(upload_id=upload.pk)


def _template_header(client, user, kind: str) -> list[str]:
    client.force_login(user)
    response = client.get(f"/uploads/templates/{kind}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [c.value for c in book["Dữ liệu"][1]]


def test_school_fills_the_template_with_its_two_sites(client, school_user, school_a):
    header = _template_header(client, school_user, "sites")
    assert header[:4] == ["Mã trường", "Mã điểm trường", "Tên điểm trường", "Loại điểm trường"]
    commune = school_a.commune_id
    values = {"Mã điểm trường": ["DT01", "DT02"], "Tên điểm trường": ["Điểm chính", "Điểm bản Nà"],
              "Loại điểm trường": ["Điểm trường chính", "lẻ"], "Mã xã/phường": [commune, commune],
              "Vĩ độ": ["21,0285", "21.1285"], "Kinh độ": ["105,8048", "105.8048"]}
    values["Loại điểm trường"][1] = "satellite"  # the code is accepted as well as the label
    rows = [[values.get(h, ["", ""])[i] for h in header] for i in range(2)]
    upload = _upload(school_user, _xlsx(header, rows), "sites", name="diem_truong.xlsx")
    assert upload.status == UploadStatus.VALIDATED, upload.errors
    assert (upload.new_count, upload.school_id) == (2, school_a.pk)
    assert commit(school_user, upload).status == UploadStatus.COMMITTED
    sites = {s.code: s for s in Site.objects.filter(school=school_a)}
    assert sites["DT01"].kind == "main" and sites["DT01"].distance_km is None
    assert sites["DT02"].distance_km == Decimal("11.1")  # computed from the coordinates, as the form does

    # The facilities of both sites for the year, then the same file again: nothing changes.
    header = _template_header(client, school_user, "facilities")
    keys = {c.header: c.key for c in FACILITIES.columns}
    counts = {k: 0 for k in SiteFacilities.COUNT_FIELDS}
    rows = [{**counts, **GOOD_PRIMARY, "site_code": "DT01", "water_source": "Nước máy"},
            {**counts, "site_code": "DT02", "water_source": "Nước mưa (bể chứa)", "electricity": "none",
             "internet": "Không có internet"}]
    filled = [[row.get(keys[h], "") for h in header] for row in rows]
    content = csv_bytes(header, filled)
    upload = _upload(school_user, content, "facilities")
    assert upload.status == UploadStatus.VALIDATED, upload.errors
    assert commit(school_user, upload).new_count == 2
    row = SiteFacilities.objects.get(site=sites["DT01"], school_year=YEAR)
    assert (row.pupils, row.classes, row.internet, row.school_id) == (300, 10, "fibre", school_a.pk)
    assert SiteFacilities.objects.get(site=sites["DT02"]).water_source == "rain"
    again = _upload(school_user, content, "facilities")
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 2)


def test_bad_rows_are_named_and_nothing_is_written(school_user, school_a):
    main_site(school_a)
    header = ["Mã điểm trường", "Tên điểm trường", "Loại điểm trường", "Mã xã/phường", "Vĩ độ", "Kinh độ",
              "Khoảng cách đến điểm trường chính (km)"]
    rows = [["DT02", "Điểm bản", "Điểm trường lẻ", school_a.commune_id, "105.8", "21.0", ""],   # swapped
            ["DT03", "Điểm xa", "Điểm trường lẻ", school_a.commune_id, "", "", "1500"],       # metres typed
            ["DT09", "Điểm hai", "Điểm trường chính", school_a.commune_id, "", "", ""],       # a second main
            ["DT04", "Điểm đúng", "Điểm trường lẻ", school_a.commune_id, "", "", "4"]]
    upload = _upload(school_user, csv_bytes(header, rows), "sites")
    assert upload.status == UploadStatus.INVALID
    by_row = {e["row"]: e for e in upload.errors}
    assert by_row[2]["column"] == "Vĩ độ" and "nằm ngoài lãnh thổ Việt Nam" in by_row[2]["reason"]
    assert by_row[3]["column"] == "Khoảng cách đến điểm trường chính (km)" and "quá xa" in by_row[3]["reason"]
    assert by_row[4]["column"] == "Loại điểm trường" and "đã có điểm trường chính" in by_row[4]["reason"]
    assert 5 not in by_row
    with pytest.raises(AppError):  # an invalid file cannot be committed
        commit(school_user, upload)
    assert Site.objects.filter(school=school_a).count() == 1

    # Facilities rows: counts that contradict each other, the model's messages on their columns.
    columns = [c for c in FACILITIES.columns if c.key != "school_code"]
    good = {**{k: 0 for k in SiteFacilities.COUNT_FIELDS}, **GOOD_PRIMARY, "site_code": "DT01"}
    bad = {**good, "classrooms_in_use": 99, "toilets_female_standard": 20}
    rows = [[str(r.get(c.key, "")) for c in columns] for r in (good, bad, {**good, "site_code": "KHONGCO"})]
    upload = _upload(school_user, csv_bytes([c.header for c in columns], rows), "facilities")
    assert upload.status == UploadStatus.INVALID
    messages = {(e["row"], e["column"]): e["reason"] for e in upload.errors}
    assert messages[(3, "Phòng học đang sử dụng")].startswith("Số phòng học đang sử dụng (99) lớn hơn")
    assert "đạt chuẩn (20)" in messages[(3, "Nhà vệ sinh học sinh nữ đạt chuẩn vệ sinh")]
    assert "tải lên danh sách điểm trường trước" in messages[(4, "Mã điểm trường")]
    assert not SiteFacilities.objects.exists()


def test_equipment_rows_follow_the_catalogue_of_the_level(school_user, school_a):
    header = ["Mã thiết bị", "Số lượng hiện có", "Số lượng dùng được"]
    rows = [["TH-TOAN-HINH-HOC", "5", "4"], ["th-tv-tranh", "2", "2"], ["THPT-HOA-TU-HUT", "1", "1"],
            ["KHONG-CO", "1", "1"], ["TH-AN-DAN-PHIM", "1", "3"]]
    upload = _upload(school_user, csv_bytes(header, rows), "equipment")
    reasons = {e["row"]: e["reason"] for e in upload.errors}
    assert reasons == {4: "Thiết bị không thuộc danh mục của cấp học của trường.",
                       5: "Không có thiết bị mã 'KHONG-CO' trong danh mục.",
                       6: "Số lượng dùng được (3) lớn hơn số lượng hiện có (1)."}
    assert not EquipmentHolding.objects.exists()
    upload = _upload(school_user, csv_bytes(header, rows[:2]), "equipment")
    assert commit(school_user, upload).new_count == 2
    held = {h.item.code: (h.quantity, h.working) for h in EquipmentHolding.objects.filter(school=school_a)}
    assert held == {"TH-TOAN-HINH-HOC": (5, 4), "TH-TV-TRANH": (2, 2)}


def test_province_uploads_many_schools_but_only_its_own(province_user, school_a, school_b,
                                                        school_other_province, school_user):
    header = ["Mã trường", "Mã điểm trường", "Tên điểm trường", "Loại điểm trường", "Mã xã/phường"]
    rows = [[s.code, "DT01", "Điểm chính", "Điểm trường chính", s.commune_id]
            for s in (school_a, school_b, school_other_province)]
    rows.append([school_b.code, "DT02", "Điểm lẻ", "Điểm trường lẻ", school_other_province.commune_id])
    upload = _upload(province_user, csv_bytes(header, rows), "sites")
    reasons = {(e["row"], e["column"]): e["reason"] for e in upload.errors}
    assert reasons == {(4, "Mã trường"): "không có trường mã này trong phạm vi của bạn",
                       (5, "Mã xã/phường"): "Xã/phường của điểm trường không thuộc tỉnh/thành phố của trường."}
    upload = _upload(province_user, csv_bytes(header, rows[:2]), "sites")
    assert upload.school_id is None and upload.province_id == "01"
    assert commit(province_user, upload).new_count == 2
    assert set(Site.objects.values_list("school_id", flat=True)) == {school_a.pk, school_b.pk}
    # A school's file naming another school is refused on that row; so is a province's file for one school.
    upload = _upload(school_user, csv_bytes(header, [[school_b.code, "DT05", "Điểm", "Điểm trường lẻ",
                                                      school_b.commune_id]]), "sites")
    assert upload.errors[0]["reason"] == "không có trường mã này trong phạm vi của bạn"
    upload = _upload(province_user, csv_bytes(header, [[school_b.code, "DT05", "Điểm", "Điểm trường lẻ",
                                                        school_b.commune_id]]), "sites", school=school_a)
    assert upload.errors[0]["reason"] == f"khác với trường của tệp tải lên ({school_a.code})"


def test_a_school_code_that_lost_its_leading_zeros_still_finds_the_school(province_user):
    school = SchoolFactory(code="01000777", province_id="01")
    header = ["Mã trường", "Mã điểm trường", "Tên điểm trường", "Loại điểm trường", "Mã xã/phường"]
    upload = _upload(province_user, csv_bytes(header, [["1000777", "DT01", "Chính", "main", school.commune_id]]),
                     "sites")
    assert upload.status == UploadStatus.VALIDATED, upload.errors
    commit(province_user, upload)
    assert Site.objects.get().school_id == school.pk


_COUNT = st.one_of(st.integers(0, 60), st.integers(0, 150_000))
_ROW_VALUES = st.fixed_dictionaries({
    name: (st.sampled_from([code for code, _ in field.choices]) if field.choices
           else _COUNT if name in SiteFacilities.COUNT_FIELDS else st.none() | st.integers(0, 2_500_000) | _COUNT)
    for name, field in FACILITIES_ROW_FIELDS.items()})


@settings(max_examples=400, deadline=None)
@given(values=_ROW_VALUES)
def test_a_facilities_row_is_refused_exactly_as_the_model_refuses_it(values):
    """The upload checks a row faster than the model's full_clean, but refuses the same rows with the same
    messages on the same columns: the field validators (counts up to 100,000, land up to 200 ha, bandwidth)
    and clean()'s rules."""
    expected: dict[str, str] = {}
    row = SiteFacilities(**values)
    for check in (lambda: row.clean_fields(exclude=["site", "school", "school_year"]), row.clean):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                expected.setdefault(field, messages[0])
    context = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=None)
    cells = {"school_code": "01000001", "site_code": "DT01", "school_year": "",
             **{k: "" if v is None else str(v) for k, v in values.items()}}
    cleaned, errors = FACILITIES.validate_row(cells, context=context)
    assert {e.column: e.reason for e in errors} == expected
    assert (cleaned is None) == bool(expected)
