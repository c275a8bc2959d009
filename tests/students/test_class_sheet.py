"""Results and measurements typed by hand: the class sheet (sổ điểm lớp) and the pupil's forms.

They apply the upload's rules (the cell reader, students.assessment, the physical row rules), save a
class in one transaction (all or nothing), and refuse a form someone else saved meanwhile."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from students.class_sheet import ResultRow, class_results_record, class_sheet_rows
from students.models import AcademicResult, PhysicalRecord
from students.services import academic_result_record
from tests.exports import export_rows
from tests.factories import SchoolFactory, UserFactory, make_student

pytestmark = pytest.mark.django_db

YEAR = current_school_year()
# Grade 7 (Thông tư 22/2021): every compulsory subject, scored or commented.
GOOD = {"Ngữ văn": "8", "Toán": "8,5", "Ngoại ngữ 1": "8", "Giáo dục công dân": "9", "Lịch sử và Địa lí": "8",
        "Khoa học tự nhiên": "8,3", "Công nghệ": "7,5", "Tin học": "8", "Giáo dục thể chất": "Đạt",
        "Nghệ thuật": "Đạt", "Hoạt động trải nghiệm, hướng nghiệp": "Đạt",
        "Nội dung giáo dục của địa phương": "Đạt"}


@pytest.fixture
def secondary(db):
    return SchoolFactory(name="Trường THCS Thử", level="lower_secondary", province_id="01")


@pytest.fixture
def teacher(secondary):
    return UserFactory(username="t_thcs", role=Role.SCHOOL, school=secondary, may_view_id_numbers=False)


@pytest.fixture
def klass(secondary):
    """Class 7A: three pupils (out of name order on purpose), and one of 7B."""
    pupils = [make_student(secondary, grade=7, class_name="7A", full_name=name)
              for name in ("Trần Văn Bình", "Nguyễn Thị An", "Lê Văn Bình")]
    make_student(secondary, grade=7, class_name="7B", full_name="Phạm Văn Cường")
    return pupils


def _sheet_url(school, term=1, class_name="7A"):
    return f"{reverse('students:class_sheet')}?school={school.pk}&grade=7&class_name={class_name}&term={term}"


def _post(pupils, cells_of, conduct="tot", seen=None):
    data = {}
    names = list(GOOD)
    from students.assessment import subjects_for

    subjects = [s.name for s in subjects_for(7)]
    for p in pupils:
        cells = cells_of(p)
        for i, name in enumerate(subjects):
            data[f"c-{p.pk}-{i}"] = cells.get(name, "")
        data[f"k-{p.pk}"] = conduct
        data[f"u-{p.pk}"] = (seen or {}).get(p.pk, "")
    assert set(names) <= set(subjects)
    return data


def test_sheet_lists_the_class_in_vietnamese_order_without_id_numbers(client, teacher, klass, secondary):
    client.force_login(teacher)
    page = client.get(_sheet_url(secondary))
    html = page.content.decode()
    assert page.status_code == 200
    # Given name first: An, then the two Bình by middle then family name (Lê before Trần); not 7B's pupil.
    order = [html.index(name) for name in ("Nguyễn Thị An", "Lê Văn Bình", "Trần Văn Bình")]
    assert order == sorted(order) and "Phạm Văn Cường" not in html
    assert all(p.id_number not in html for p in klass)
    assert 'data-subject="Khoa học tự nhiên"' in html


def test_one_post_saves_the_whole_class_and_derives_the_rating(client, teacher, klass, secondary,
                                                               django_assert_max_num_queries):
    client.force_login(teacher)
    with django_assert_max_num_queries(25):
        response = client.post(_sheet_url(secondary), _post(klass, lambda p: GOOD))
    assert response.status_code == 302
    results = AcademicResult.objects.filter(student__in=klass, school_year=YEAR, term=1)
    assert results.count() == 3
    # TT 22/2021 Điều 9: every score from 6,5, at least six from 8, every commented subject Đạt.
    assert {r.learning_rating for r in results} == {"tot"}
    assert results.first().subject_scores["Toán"] == 8.5
    page = client.get(reverse("students:detail", args=[klass[0].pk])).content.decode()
    assert "Toán: 8,5" in page and "Tốt" in page


def test_a_bad_cell_is_shown_next_to_it_and_nothing_is_saved(client, teacher, klass, secondary):
    client.force_login(teacher)
    bad = klass[2]
    response = client.post(_sheet_url(secondary), _post(klass, lambda p: {**GOOD, "Toán": "11"} if p == bad
                                                        else GOOD))
    html = response.content.decode()
    assert response.status_code == 200
    assert not AcademicResult.objects.filter(student__in=klass).exists()
    assert 'value="11"' in html and "is-invalid" in html and "0 đến 10" in html
    # Everything else typed is kept on the page.
    assert html.count('value="8,3"') == 3
    assert "Không có kết quả nào được lưu" in html


def test_a_missing_compulsory_subject_refuses_the_row(teacher, klass, secondary):
    scope = Scope.for_user(teacher)
    rows = [ResultRow(pupil_code=p.pupil_code, conduct_rating="tot",
                      subject_scores={k: v for k, v in GOOD.items() if k != "Tin học"}) for p in klass[:1]]
    with pytest.raises(AppError) as caught:
        class_results_record(scope=scope, school=secondary, grade=7, class_name="7A", school_year=YEAR, term=1,
                             rows=rows)
    assert "thiếu môn bắt buộc" in str(caught.value.details[klass[0].pupil_code]["subject_scores"])


def test_blank_rows_are_skipped_and_a_correction_updates(teacher, klass, secondary):
    scope = Scope.for_user(teacher)
    first = class_results_record(scope=scope, school=secondary, grade=7, class_name="7A", school_year=YEAR,
                                 term=1, rows=[ResultRow(pupil_code=klass[0].pupil_code, conduct_rating="tot",
                                                         subject_scores=GOOD, seen=""),
                                               ResultRow(pupil_code=klass[1].pupil_code)])
    assert len(first) == 1
    stored = AcademicResult.objects.get(student=klass[0])
    low = {**GOOD, "Toán": "4"}
    class_results_record(scope=scope, school=secondary, grade=7, class_name="7A", school_year=YEAR, term=1,
                         rows=[ResultRow(pupil_code=klass[0].pupil_code, conduct_rating="kha",
                                         subject_scores=low, seen=stored.updated_at.isoformat())])
    stored.refresh_from_db()
    assert stored.conduct_rating == "kha" and stored.subject_scores["Toán"] == 4.0
    # Toán below 5 alone pulls Tốt down two levels, to Đạt: adjusted to the level next to it (Điều 9 khoản 3).
    assert stored.learning_rating == "kha"


def test_a_result_saved_by_someone_else_meanwhile_is_not_overwritten(client, teacher, klass, secondary):
    client.force_login(teacher)
    client.get(_sheet_url(secondary))  # the sheet is opened: nothing on file, so nothing seen
    academic_result_record(scope=Scope.country(), student=klass[0], school_year=YEAR, term=1,
                           conduct_rating="dat", subject_scores=GOOD)
    response = client.post(_sheet_url(secondary), _post(klass, lambda p: GOOD))
    assert response.status_code == 200 and "người khác ghi" in response.content.decode()
    assert AcademicResult.objects.filter(student__in=klass).count() == 1
    assert AcademicResult.objects.get(student=klass[0]).conduct_rating == "dat"


def test_other_schools_and_pupils_of_other_classes_are_refused(client, klass, secondary, school_user):
    # A school user of another school: the sheet is not found (their own school is used instead,
    # which has no class 7A), and the service refuses outright.
    with pytest.raises(NotInScope):
        class_sheet_rows(scope=Scope.for_user(school_user), school=secondary, grade=7, class_name="7A",
                         school_year=YEAR, term=1)
    other = make_student(secondary, grade=7, class_name="7B")
    with pytest.raises(AppError) as caught:
        class_results_record(scope=Scope.country(), school=secondary, grade=7, class_name="7A", school_year=YEAR,
                             term=1, rows=[ResultRow(pupil_code=other.pupil_code, conduct_rating="tot",
                                                     subject_scores=GOOD)])
    assert "pupil_code" in caught.value.details[other.pupil_code]


def test_links_to_the_sheet_from_the_class_list_and_the_school_page(client, teacher, klass, secondary):
    client.force_login(teacher)
    listing = client.get(reverse("students:list") + "?grade=7&class_name=7A").content.decode()
    assert 'data-testid="class-sheet"' in listing
    assert 'data-testid="class-sheet"' not in client.get(reverse("students:list")).content.decode()
    school_page = client.get(reverse("schools:detail", args=[secondary.pk])).content.decode()
    assert 'data-testid="school-class-sheets"' in school_page
    index = client.get(reverse("students:class_sheet_index") + f"?school={secondary.pk}").content.decode()
    assert "7A" in index and "7B" in index


def test_the_class_list_sorts_by_any_column_and_exports(client, teacher, klass, secondary):
    """The index of class sheets is a list like the others (issue 21): sorted in memory (a school's classes,
    counted), exported with the school and year in the file."""
    make_student(secondary, grade=6, class_name="6C")
    client.force_login(teacher)
    url = reverse("students:class_sheet_index")
    rows = lambda response: [(c["grade"], c["class_name"], c["pupils"]) for c in response.context["page"]]  # noqa: E731
    assert rows(client.get(url)) == [(6, "6C", 1), (7, "7A", 3), (7, "7B", 1)]
    assert rows(client.get(url, {"sort": "-pupils"})) == [(7, "7A", 3), (7, "7B", 1), (6, "6C", 1)]
    assert rows(client.get(url, {"sort": "-class"})) == [(7, "7B", 1), (7, "7A", 3), (6, "6C", 1)]
    response = client.get(url, {"sort": "-pupils", "export": "csv"})
    assert response.status_code == 200 and secondary.code in response["Content-Disposition"]
    assert export_rows(response)[1:] == [["7", "7A", "3"], ["7", "7B", "1"], ["6", "6C", "1"]]


# --- the pupil's forms -----------------------------------------------------------------------

def test_pupil_result_form_records_and_refuses_a_stale_correction(client, teacher, klass):
    client.force_login(teacher)
    pupil = klass[0]
    url = reverse("students:result", args=[pupil.pk]) + f"?school_year={YEAR}&term=2"
    page = client.get(url)
    assert page.status_code == 200
    from students.assessment import subjects_for

    fields = {f"subject_{i}": GOOD.get(s.name, "") for i, s in enumerate(subjects_for(7))}
    data = {"school_year": YEAR, "term": 2, "conduct_rating": "tot", "learning_rating": "", "updated_at": "",
            **fields}
    assert client.post(url, data).status_code == 302
    result = AcademicResult.objects.get(student=pupil, term=2)
    assert result.learning_rating == "tot"
    # A learning rating that contradicts the scores is refused next to its field.
    stale_time = result.updated_at.isoformat()
    refused = client.post(url, {**data, "learning_rating": "chua_dat", "updated_at": stale_time})
    assert refused.status_code == 200 and 'data-testid="error-learning_rating"' in refused.content.decode()
    # Someone else corrects it; this form (opened before) is refused, then goes through when saved again.
    academic_result_record(scope=Scope.country(), student=pupil, school_year=YEAR, term=2, conduct_rating="dat",
                           subject_scores=GOOD)
    stale = client.post(url, {**data, "conduct_rating": "kha", "updated_at": stale_time})
    assert "người khác ghi" in stale.content.decode()
    assert AcademicResult.objects.get(student=pupil, term=2).conduct_rating == "dat"
    again = client.post(url, {**data, "conduct_rating": "kha", "updated_at": stale.context["form"].data["updated_at"]})
    assert again.status_code == 302 and AcademicResult.objects.get(student=pupil, term=2).conduct_rating == "kha"


def test_pupil_physical_form_computes_the_status_and_refuses_bad_input(client, teacher, klass):
    client.force_login(teacher)
    pupil = klass[0]
    url = reverse("students:physical", args=[pupil.pk])
    day = timezone.localdate() - dt.timedelta(days=3)
    bad = client.post(url, {"measured_on": day.isoformat(), "height_cm": "300", "weight_kg": "abc",
                            "updated_at": ""})
    html = bad.content.decode()
    assert 'data-testid="error-height_cm"' in html and 'data-testid="error-weight_kg"' in html
    assert not PhysicalRecord.objects.filter(student=pupil).exists()
    ok = client.post(url, {"measured_on": day.isoformat(), "height_cm": "128,5", "weight_kg": "26",
                           "updated_at": ""})
    assert ok.status_code == 302
    record = PhysicalRecord.objects.get(student=pupil)
    assert record.height_cm == 128.5 and record.nutrition_status
    # A second form for the same day, opened before the first save: refused, the measurement kept.
    again = client.post(url, {"measured_on": day.isoformat(), "height_cm": "130", "weight_kg": "27",
                              "updated_at": ""})
    assert again.status_code == 200 and "Đã có số đo ngày" in again.content.decode()
    assert PhysicalRecord.objects.get(student=pupil).height_cm == 128.5
