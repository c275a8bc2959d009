from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import current_school_year

from .models import Domain, PeriodKind


class PeriodForm(forms.Form):
    school_year = forms.IntegerField(label=_("Năm học (năm bắt đầu)"), min_value=2000, max_value=2100,
                                     initial=current_school_year)
    kind = forms.ChoiceField(label=_("Kỳ"), choices=PeriodKind.choices)
    # dd/mm/yyyy as people here type dates, ISO as the date picker sends them.
    opens_on = forms.DateField(label=_("Mở từ ngày"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Hạn nộp"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Hết hạn"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                 widget=forms.DateInput(attrs={"type": "date"}))
    domains = forms.MultipleChoiceField(label=_("Nội dung báo cáo"), choices=Domain.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Để trống: theo mặc định của kỳ."))
