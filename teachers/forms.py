"""Adding and editing a staff member in the web pages ("Thêm cán bộ", "Sửa cán bộ").

The fields carry the upload's column names, and the rules are the upload's (StaffImporter through
edu_portal.common.forms.PersonForm), so a form and a spreadsheet row give the same answer; the
training standard is derived by the service (teachers/standards.py), never typed."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edu_portal.common.forms import PersonForm, date_field, select, text_input
from geo.selectors import ethnic_groups

from .importers import STAFF
from .models import EmploymentStatus, Position, Qualification, TrainingField


class StaffForm(PersonForm):
    importer = STAFF
    code_field = "staff_code"
    field_order = ["staff_code"]  # the record's code first, then the identity (PersonForm)

    staff_code = forms.CharField(label=_("Mã cán bộ"), max_length=20, widget=text_input(),
                                 help_text=_("Mã định danh cán bộ do Bộ GD&ĐT cấp"))
    position = forms.ChoiceField(label=_("Chức vụ"), choices=Position.choices, widget=select())
    main_subject = forms.CharField(label=_("Môn dạy chính"), max_length=60, required=False, widget=text_input())
    qualification = forms.ChoiceField(label=_("Trình độ đào tạo"), choices=Qualification.choices, widget=select())
    training_field = forms.ChoiceField(label=_("Chuyên ngành đào tạo"), choices=TrainingField.choices,
                                       widget=select(),
                                       help_text=_("Sư phạm: bằng thuộc ngành đào tạo giáo viên, đúng cấp học"))
    pedagogy_certificate = forms.BooleanField(
        label=_("Có chứng chỉ bồi dưỡng nghiệp vụ sư phạm"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("Cần khi bằng ngoài sư phạm (Luật Giáo dục 2019, Điều 72)"))
    employment_status = forms.ChoiceField(label=_("Tình trạng"), choices=EmploymentStatus.choices, widget=select())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [(name, name) for _code, name in ethnic_groups()]


class ReassignmentRequestForm(forms.Form):
    """"Đề nghị điều chuyển cán bộ đến trường": the receiving school names the member by staff code and date
    of birth (teachers.services.staff_reassignment_request checks both, with one answer for any mismatch)."""

    staff_code = forms.CharField(label=_("Mã cán bộ"), max_length=20, widget=text_input())
    date_of_birth = date_field(_("Ngày sinh"))
    position = forms.ChoiceField(label=_("Chức vụ ở trường tiếp nhận"), choices=Position.choices, widget=select())


class ReassignmentDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối"), max_length=500, widget=text_input())
