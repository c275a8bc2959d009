"""Adding and editing a pupil in the web pages ("Thêm học sinh", "Sửa học sinh").

The fields carry the upload's column names, and the rules are the upload's (PupilImporter through
edu_portal.common.forms.PersonForm), so a form and a spreadsheet row give the same answer."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edu_portal.common.forms import PersonForm, select, text_input
from geo.models import Province
from geo.selectors import ethnic_groups
from schools.models import grades_taught

from .importers import PUPILS
from .models import AWAITING_TRANSFER_LABEL, WITHDRAW_STATUSES, EnrollmentStatus, IdNumberMissingReason


def _grade_label(grade: int) -> str:
    return str(_("Mầm non")) if grade == 0 else str(_("Khối %(grade)s") % {"grade": grade})


class StudentForm(PersonForm):
    importer = PUPILS
    code_field = "pupil_code"
    # The record's code first, then the identity (PersonForm), the reason for a blank number by it.
    field_order = ["pupil_code", "id_number", "id_number_missing_reason", "id_number_missing_note"]

    pupil_code = forms.CharField(label=_("Mã học sinh"), max_length=20, widget=text_input(),
                                 help_text=_("Mã định danh học sinh do Bộ GD&ĐT cấp"))
    # Intake without an ID number (students.intake): why the number is blank; cleared once it is added.
    id_number_missing_reason = forms.ChoiceField(
        label=_("Lý do chưa có số định danh"), required=False, widget=select(),
        choices=[("", "—"), *IdNumberMissingReason.choices],
        help_text=_("Bắt buộc khi để trống số định danh"))
    id_number_missing_note = forms.CharField(label=_("Lý do khác"), max_length=200, required=False,
                                             widget=text_input())
    birth_province = forms.ChoiceField(label=_("Nơi sinh (tỉnh/thành phố)"), required=False, widget=select())
    grade = forms.TypedChoiceField(label=_("Khối"), coerce=int, widget=select())
    class_name = forms.CharField(label=_("Lớp"), max_length=20, widget=text_input(placeholder="3A"))

    def __init__(self, *args, enroll: bool = True, **kwargs):
        """`enroll`: the form takes this school year's grade and class (a new pupil, or one with no
        enrollment this year); otherwise the enrollment is not edited here."""
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [(name, name) for _code, name in ethnic_groups()]
        self.fields["birth_province"].choices = [("", "—"), *Province.objects.values_list("code", "name")]
        if enroll:
            low, high = grades_taught(getattr(self.school, "level", None))
            self.fields["grade"].choices = [("", "—")] + [(g, _grade_label(g)) for g in range(low, high + 1)]
        else:
            del self.fields["grade"], self.fields["class_name"]

    def enrollment_kwargs(self) -> dict:
        """The grade and class for this school year, taken out of the identity changes."""
        return {key: self.service_kwargs.pop(key) for key in ("grade", "class_name") if key in self.service_kwargs}


class LeaveForm(forms.Form):
    """Cho thôi học / ghi nhận rời trường: students.services.student_withdraw checks the rest (date
    within the school year, from the day the pupil came; a reason for a dropout)."""

    status = forms.ChoiceField(label=_("Tình trạng"),
                               choices=[(s.value, AWAITING_TRANSFER_LABEL if s == EnrollmentStatus.TRANSFERRED_OUT
                                         else s.label) for s in WITHDRAW_STATUSES],
                               widget=forms.Select(attrs={"class": "form-select"}))
    left_on = forms.DateField(label=_("Ngày rời trường"),
                              widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))
    reason = forms.CharField(label=_("Lý do"), max_length=200, required=False,
                             help_text=_("Bắt buộc khi học sinh bỏ học."),
                             widget=forms.TextInput(attrs={"class": "form-control"}))


class TransferRequestForm(forms.Form):
    """"Đề nghị tiếp nhận học sinh": the receiving school names the pupil by pupil code (or, for a user
    who may type them, ID number) and date of birth; students.services.transfer_request_create checks
    the rest and answers an unknown pupil and a mismatch alike."""

    pupil_code = forms.CharField(label=_("Mã học sinh"), max_length=20, required=False, widget=text_input())
    id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=12, required=False,
                                help_text=_("Thay cho mã học sinh"),
                                widget=text_input(inputmode="numeric", autocomplete="off"))
    date_of_birth = forms.DateField(label=_("Ngày sinh"),
                                    widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))
    grade = forms.TypedChoiceField(label=_("Khối"), coerce=int, widget=select())
    class_name = forms.CharField(label=_("Lớp"), max_length=20, widget=text_input(placeholder="3A"))

    def __init__(self, *args, may_enter_id_numbers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—")] + [(g, _grade_label(g)) for g in range(0, 13)]
        if not may_enter_id_numbers:
            del self.fields["id_number"]


class DeleteForm(forms.Form):
    """Xoá hồ sơ nhập nhầm: the reason is required and kept (tombstone, audit trail); the box is the
    confirmation (a deletion cannot be undone). students.services.student_delete checks the reason."""

    reason = forms.CharField(label=_("Lý do xoá"), max_length=500,
                             help_text=_("Ví dụ: nhập trùng với hồ sơ mã ..., nhập nhầm trường."),
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "maxlength": 500}))
    confirm = forms.BooleanField(label=_("Tôi xác nhận hồ sơ này được nhập nhầm và sẽ bị xoá hẳn, không khôi phục được."),
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
