"""Issuing a token in the web UI: for whom, for which scope, read-only or read-write, masked or full ID
numbers (never more than the issuer holds: api_token_create)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from edu_portal.common.exceptions import AppError
from geo.models import Province
from schools.selectors import scope_parse

from .models import ApiProfile, ScopeKind


class ApiTokenForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"),
                                  label=_("Người dùng sở hữu"))
    name = forms.CharField(max_length=100, label=_("Tên (hệ thống sử dụng)"))
    scope_kind = forms.ChoiceField(choices=ScopeKind.choices, label=_("Phạm vi"))
    province = forms.ModelChoiceField(queryset=Province.objects.order_by("code"), required=False,
                                      label=_("Tỉnh/thành phố"))
    school_code = forms.CharField(max_length=20, required=False, label=_("Mã trường"))
    can_write = forms.BooleanField(required=False, label=_("Được ghi dữ liệu (thêm, sửa)"))
    # Granted only if both the owner and the issuer hold the right (api_token_create).
    can_view_id_numbers = forms.BooleanField(required=False, label=_("Được xem đầy đủ số định danh"))
    # What of the API the client reaches, and which fields of the records (api.profiles); empty: everything.
    profile = forms.ModelChoiceField(queryset=ApiProfile.objects.all(), required=False, label=_("Hồ sơ truy cập"),
                                     empty_label=_("Không giới hạn (mọi phần, mọi trường)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        kind = data.get("scope_kind")
        if kind == ScopeKind.PROVINCE:
            if not data.get("province"):
                self.add_error("province", _("Hãy chọn tỉnh/thành phố."))
                return data
            value = f"province:{data['province'].code}"
        elif kind == ScopeKind.SCHOOL:
            value = f"school:{(data.get('school_code') or '').strip()}"
        else:
            value = "country"
        try:
            data["scope"] = scope_parse(value)
        except AppError as exc:
            self.add_error("school_code" if kind == ScopeKind.SCHOOL else None, exc.message)
        return data


class ApiProfileForm(forms.Form):
    """A profile's rules as JSON (api.profiles.profile_rules_clean checks them and names what is wrong)."""

    profile_name = forms.CharField(max_length=50, label=_("Tên hồ sơ"))
    description = forms.CharField(max_length=300, required=False, label=_("Mô tả"))
    rules = forms.JSONField(label=_("Quy tắc (JSON)"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                            help_text=_('Ví dụ: {"students": {"read": ["full_name", "date_of_birth"], "write": []}}'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"
