"""The add and edit forms of people (pupils, staff members): one frame for both records apps.

A form does not hold rules of its own. Its cleaned text goes through the upload's row rules (the
app's RecordImporter, by `validate_like_upload`, as the API's writes do), so the same input gives the
same answer at every door; the service then validates the model in full before writing. Errors
come back as AppError `details` keyed by column or model field and are shown next to the field.
"""
from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .api.importing import validate_like_upload
from .exceptions import AppError
from .importing import RecordImporter
from .models import Gender, id_number_entry_check

# Keys a service or model error may use for a field the form shows under another name.
FIELD_ALIASES = {"birth_province_id": "birth_province", "school_year": "grade"}
STALE_MESSAGE = _("Hồ sơ này vừa được người khác sửa sau khi bạn mở trang nên thay đổi của bạn chưa được lưu. "
                  "Thông tin hiện có trên hồ sơ được ghi bên dưới; hãy kiểm tra rồi bấm Lưu lần nữa nếu vẫn "
                  "muốn sửa.")


def text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


def date_field(label) -> forms.DateField:
    """<input type="date"> posts yyyy-mm-dd; dd/mm/yyyy is taken too, as in the files. The range
    (not in the future, at most 30 years back for a pupil) is the importer's rule, checked after."""
    return forms.DateField(label=label, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}))


class PersonForm(forms.Form):
    """Subclasses declare their own fields (named as the importer's columns; the identity ones are
    here) and `importer`; they fill the ethnic groups' choices (geo is above this layer).

    `record` is the person being edited (None: a new one); `scope` the user's; `school` where the
    person is (or will be) enrolled or employed. A user who may not see full ID numbers gets no ID
    number field, and a number posted anyway is refused with the one message every door gives."""

    importer: RecordImporter
    code_field: str
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)
    id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=12, required=False,
                                widget=text_input(inputmode="numeric", autocomplete="off"),
                                help_text=_("12 chữ số; để trống nếu chưa có"))
    full_name = forms.CharField(label=_("Họ và tên"), max_length=100, widget=text_input())
    date_of_birth = date_field(_("Ngày sinh"))
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices, widget=select())
    ethnicity = forms.ChoiceField(label=_("Dân tộc"), widget=select(),
                                  help_text=_("Danh mục 54 dân tộc (Quyết định 121-TCTK/PPCĐ)"))

    def __init__(self, *args, scope, school, record=None, current_row: dict | None = None, **kwargs):
        self.scope, self.school, self.record = scope, school, record
        self.current_row = current_row or {}
        if record is not None:
            initial = {key: self.initial_value(value) for key, value in self.current_row.items()}
            initial["updated_at"] = record.updated_at.isoformat()
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if not scope.may_enter_id_numbers:
            self.fields.pop("id_number", None)
        if record is not None:
            self.fields.pop(self.code_field, None)  # the code is the record's key, never edited
        self.service_kwargs: dict = {}
        self.stale = False  # save_edit: refused because someone else saved meanwhile

    @staticmethod
    def initial_value(value):
        return "" if value is None else value

    def changed_fields(self) -> list[str]:
        return [name for name in self.changed_data if name != "updated_at"]

    def clean(self):
        cleaned = super().clean()
        try:
            if "id_number" not in self.fields and (self.data.get("id_number") or "").strip():
                id_number_entry_check(scope=self.scope, typed=True)
            fields = [name for name in self.fields if name != "updated_at"]
            if self.record is None:
                data = {name: cleaned.get(name) for name in fields}
            else:
                data = {name: cleaned.get(name) for name in self.changed_fields()}
            if data and self.errors:
                # A field the form already refused (a value not among the choices) is left out; the
                # rules still speak about the others, so every mistake is shown at once.
                data = {name: value for name, value in data.items() if name not in self.errors}
            if data:
                self.service_kwargs = validate_like_upload(
                    self.importer, data, scope=self.scope, school=self.school, instance=self.record,
                    current_row=self.current_row if self.record is not None else None,
                    not_for_update=frozenset({self.code_field}))
        except AppError as exc:
            self.add_app_error(exc)
        return cleaned

    def is_stale(self) -> bool:
        """Whether the record changed since this form was shown (someone else saved it meanwhile)."""
        if self.record is None:
            return False
        seen = parse_datetime(self.data.get("updated_at") or "")
        return seen is None or seen != self.record.updated_at

    def save_edit(self, *, lock, save) -> str | None:
        """The edit pages' save, one way for pupils and staff: "unchanged" when nothing was changed;
        else, in one transaction, `lock()` reads the record FOR UPDATE, a save by someone else since the
        form was shown is refused (not overwritten) and `save(record)` writes: "saved". A refusal lands
        on the form (None); a stale one keeps the user's edits and takes the stored record's time, so
        that a second save goes through (`self.stale` tells the page to show what is stored)."""
        if not self.changed_fields():
            return "unchanged"
        try:
            with transaction.atomic():
                self.record = lock()
                if self.is_stale():
                    raise AppError(str(STALE_MESSAGE), code="stale", status_code=409)
                save(self.record)
        except AppError as exc:
            if exc.status_code == 404:
                raise
            self.add_app_error(exc)
            if exc.code == "stale":
                self.stale = True
                self.data = self.data.copy()
                self.data["updated_at"] = self.record.updated_at.isoformat()
            return None
        return "saved"

    def add_app_error(self, exc: AppError) -> None:
        """A refusal from the rules or a service, next to the fields it names (the rest on top)."""
        placed = False
        details = exc.details if isinstance(exc.details, dict) else {}
        for key, messages in details.items():
            name = FIELD_ALIASES.get(key, key)
            if name in self.errors:
                placed = True  # already refused by the form, in its own words
                continue
            if name in self.fields and name != "updated_at":
                for message in messages if isinstance(messages, list) else [messages]:
                    self.add_error(name, str(message))
                placed = True
        if not placed or not details:
            self.add_error(None, exc.message)
