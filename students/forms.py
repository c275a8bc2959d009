"""Forms of the pupil pages: thin, the rules are the services' (students.services)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LEAVING_STATUSES


class LeaveForm(forms.Form):
    """Cho thôi học / ghi nhận rời trường: students.services.student_withdraw checks the rest (date
    within the school year and not ahead, a reason for a dropout)."""

    status = forms.ChoiceField(label=_("Tình trạng"), choices=[(s.value, s.label) for s in LEAVING_STATUSES],
                               widget=forms.Select(attrs={"class": "form-select"}))
    left_on = forms.DateField(label=_("Ngày rời trường"),
                              widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))
    reason = forms.CharField(label=_("Lý do"), max_length=200, required=False,
                             help_text=_("Bắt buộc khi học sinh bỏ học."),
                             widget=forms.TextInput(attrs={"class": "form-control"}))
