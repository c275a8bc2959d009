from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UploadKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), widget=forms.Select(attrs={"class": "form-select"}))
    school_code = forms.CharField(label=_("Mã trường"), max_length=20, required=False,
                                  widget=forms.TextInput(attrs={"class": "form-control"}),
                                  help_text=_("Khi tải lên thay cho một trường trong phạm vi của bạn "
                                              "(không cần với dữ liệu Trường học; với điểm trường, cơ sở vật chất và "
                                              "thiết bị để trống khi tệp ghi mã trường ở từng dòng)."))
    file = forms.FileField(label=_("Tệp dữ liệu"), widget=forms.ClearableFileInput(
        attrs={"class": "form-control", "accept": ".csv,.xlsx,.txt"}))

    def __init__(self, *args, kinds: list[str], on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, UploadKind(k).label) for k in kinds]
        if not on_behalf:
            del self.fields["school_code"]
