from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import COUNTRY, Scope
from geo.models import Province


class RunStartForm(forms.Form):
    """Where to verify: the whole country (ministry), a province, or one school by its code."""

    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), required=False)
    school_code = forms.CharField(label=_("hoặc mã trường"), required=False, max_length=20)
    include_verified = forms.BooleanField(label=_("Kiểm tra lại cả hồ sơ đã xác thực"), required=False)

    def __init__(self, *args, user_scope: Scope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_scope = user_scope
        if user_scope.kind == COUNTRY:
            choices = [("", _("Toàn quốc"))] + list(Province.objects.values_list("code", "name"))
        else:
            choices = list(Province.objects.filter(pk=user_scope.province_code).values_list("code", "name"))
        self.fields["province"].choices = choices

    def scope_string(self) -> str:
        code = (self.cleaned_data.get("school_code") or "").strip()
        if code:
            return f"school:{code}"
        province = self.cleaned_data.get("province")
        return f"province:{province}" if province else "country"
