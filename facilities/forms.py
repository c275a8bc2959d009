"""The facilities pages' forms. They hold no rules of their own: the cleaned values go to the services, whose
model validation (facilities.models clean()) answers with per-field messages shown next to each field."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edu_portal.common.exceptions import AppError
from edu_portal.common.forms import select, text_input
from geo.models import Commune

from .models import Electricity, Internet, SiteFacilities, SiteKind, WaterSource


def number_input(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": "form-control form-control-sm", **attrs})


class AppErrorForm(forms.Form):
    def add_app_error(self, exc: AppError) -> None:
        """An AppError's per-field details next to the fields, the rest on top of the form."""
        placed = False
        for field, messages in (exc.details or {}).items():
            name = "commune" if field == "commune_id" else field
            if name in self.fields and isinstance(messages, list):
                for message in messages:
                    self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class SiteForm(AppErrorForm):
    code = forms.CharField(label=_("Mã điểm trường"), max_length=20, widget=text_input())
    name = forms.CharField(label=_("Tên điểm trường"), max_length=200, widget=text_input())
    kind = forms.ChoiceField(label=_("Loại điểm trường"), choices=SiteKind.choices, widget=select())
    commune = forms.ChoiceField(label=_("Xã/phường"), widget=select())
    address = forms.CharField(label=_("Địa chỉ (thôn, bản, tổ dân phố)"), max_length=300, required=False,
                              widget=text_input())
    latitude = forms.DecimalField(label=_("Vĩ độ"), required=False, max_digits=9, decimal_places=6,
                                  widget=number_input(step="0.000001"), help_text=_("Ví dụ 21.028511"))
    longitude = forms.DecimalField(label=_("Kinh độ"), required=False, max_digits=9, decimal_places=6,
                                   widget=number_input(step="0.000001"), help_text=_("Ví dụ 105.804817"))
    distance_km = forms.DecimalField(label=_("Khoảng cách đến điểm trường chính (km)"), required=False,
                                     max_digits=6, decimal_places=1, widget=number_input(step="0.1"),
                                     help_text=_("Tự tính khi điểm trường và điểm trường chính đều có toạ độ"))

    def __init__(self, *args, school, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = list(Commune.objects.filter(province_id=school.province_id)
                                              .order_by("name").values_list("code", "name"))
        if site is not None:
            self.fields.pop("kind")  # one main site, always: the kind is not edited

    @property
    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


FACILITIES_GROUPS = (
    (_("Học sinh và lớp"), ("pupils", "classes")),
    (_("Diện tích"), ("land_area_m2", "classroom_floor_area_m2")),
    (_("Phòng học"), ("classrooms_solid", "classrooms_semi_solid", "classrooms_temporary", "classrooms_borrowed",
                      "classrooms_in_use", "classrooms_need_repair")),
    (_("Phòng bộ môn và phòng chức năng"), ("subject_rooms", "library_rooms", "computer_rooms", "laboratories",
                                             "multipurpose_halls", "medical_rooms")),
    (_("Nhà vệ sinh"), ("toilets_male", "toilets_male_standard", "toilets_female", "toilets_female_standard",
                        "toilets_staff")),
    (_("Nước, điện, internet, máy tính"), ("water_source", "electricity", "internet", "internet_mbps",
                                           "computers_teaching", "computers_pupils")),
)
LABELS = {
    "pupils": _("Số học sinh học tại điểm trường"), "classes": _("Số lớp (nhóm lớp)"),
    "land_area_m2": _("Diện tích khu đất (m²)"), "classroom_floor_area_m2": _("Tổng diện tích sàn phòng học (m²)"),
    "classrooms_solid": _("Phòng học kiên cố"), "classrooms_semi_solid": _("Phòng học bán kiên cố"),
    "classrooms_temporary": _("Phòng học tạm"), "classrooms_borrowed": _("Phòng học nhờ, mượn"),
    "classrooms_in_use": _("Phòng học đang sử dụng"), "classrooms_need_repair": _("Phòng học cần sửa chữa"),
    "subject_rooms": _("Phòng học bộ môn"), "library_rooms": _("Thư viện"), "computer_rooms": _("Phòng Tin học"),
    "laboratories": _("Phòng thí nghiệm"), "multipurpose_halls": _("Nhà đa năng"), "medical_rooms": _("Phòng y tế"),
    "toilets_male": _("Nhà vệ sinh học sinh nam"), "toilets_male_standard": _("trong đó đạt chuẩn vệ sinh (nam)"),
    "toilets_female": _("Nhà vệ sinh học sinh nữ"), "toilets_female_standard": _("trong đó đạt chuẩn vệ sinh (nữ)"),
    "toilets_staff": _("Nhà vệ sinh giáo viên, nhân viên"), "water_source": _("Nguồn nước sạch"),
    "electricity": _("Điện"), "internet": _("Kết nối internet"), "internet_mbps": _("Băng thông (Mbps)"),
    "computers_teaching": _("Máy tính dùng cho dạy học"), "computers_pupils": _("Máy tính cho học sinh"),
}
CHOICES = {"water_source": WaterSource.choices, "electricity": Electricity.choices, "internet": Internet.choices}
OPTIONAL = ("land_area_m2", "classroom_floor_area_m2", "internet_mbps")


class SiteFacilitiesForm(AppErrorForm):
    """One site's facilities of a school year. Numbers are taken as typed (negative ones too), so that the
    model's rules give the message, the same one an upload or the API gets."""

    def __init__(self, *args, row: SiteFacilities | None = None, **kwargs):
        if row is not None:
            kwargs.setdefault("initial", {name: getattr(row, name) for name in LABELS})
        super().__init__(*args, **kwargs)
        for name, label in LABELS.items():
            if name in CHOICES:
                self.fields[name] = forms.ChoiceField(label=label, choices=CHOICES[name], widget=select())
            else:
                self.fields[name] = forms.IntegerField(label=label, required=False,
                                                       widget=number_input())
        if row is None:
            for name in LABELS:
                if name not in CHOICES and name not in OPTIONAL:
                    self.fields[name].initial = 0
            self.fields["internet"].initial = Internet.NONE

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in FACILITIES_GROUPS]

    @property
    def service_kwargs(self) -> dict:
        values = dict(self.cleaned_data)
        for name in LABELS:
            if name not in CHOICES and name not in OPTIONAL and values.get(name) is None:
                values[name] = 0  # an empty count is none
        return values
