"""The pupil page's forms for a term result and a measurement ("Ghi kết quả học tập", "Ghi số đo").

They hold no rules: the typed text goes to students.class_sheet (the upload's cell reader and
students.assessment, the upload's physical row rules), whose refusals come back next to the field
they name (`add_app_error`). The subject inputs are the programme's subjects of the pupil's grade."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edu_portal.common.exceptions import AppError
from edu_portal.common.forms import date_field, select, text_input

from . import assessment
from .class_sheet import CELL, cell_text
from .models import ConductRating, LearningRating


def rating_choices(members, blank) -> list[tuple[str, str]]:
    return [("", blank), *[(m.value, m.label) for m in members]]


class ResultForm(forms.Form):
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)
    conduct_rating = forms.ChoiceField(label=_("Kết quả rèn luyện"), widget=select())
    learning_rating = forms.ChoiceField(label=_("Kết quả học tập"), required=False, widget=select(),
                                        help_text=_("Để trống thì được tính từ điểm các môn; nếu chọn, phải khớp "
                                                    "với điểm các môn (TT 22/2021 Điều 9, TT 27/2020 Điều 10)."))

    def __init__(self, *args, grade: int, result=None, **kwargs):
        """`result`: the stored result of the year and term (prefills the form, and its time is the
        stale check's)."""
        self.grade = grade
        self.subjects = assessment.subjects_for(grade)
        if result is not None:
            initial = {"updated_at": result.updated_at.isoformat(), "conduct_rating": result.conduct_rating,
                       "learning_rating": result.learning_rating}
            stored = result.subject_scores or {}
            for i, subject in enumerate(self.subjects):
                if subject.name in stored:
                    initial[f"subject_{i}"] = cell_text(stored[subject.name])
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["conduct_rating"].choices = rating_choices(
            [m for m in ConductRating if m in assessment.conduct_ratings_for(grade)], "—")
        self.fields["learning_rating"].choices = rating_choices(
            [m for m in LearningRating if m in assessment.learning_ratings_for(grade)],
            _("(tính từ điểm các môn)"))
        hint = _("HTT/HT/CHT, kèm điểm kiểm tra: HTT, 9") if assessment.is_primary(grade) else _("0-10 hoặc Đạt")
        for i, subject in enumerate(self.subjects):
            self.fields[f"subject_{i}"] = forms.CharField(
                label=subject.name, required=False, max_length=40,
                widget=text_input(placeholder=str(hint), **{"data-subject": subject.name}))

    def subject_fields(self):
        return [self[f"subject_{i}"] for i in range(len(self.subjects))]

    def cells(self) -> dict[str, str]:
        return {s.name: self.cleaned_data.get(f"subject_{i}", "") for i, s in enumerate(self.subjects)}

    def add_app_error(self, exc: AppError) -> None:
        fields = {f"{CELL}{s.name}": f"subject_{i}" for i, s in enumerate(self.subjects)}
        placed = False
        for key, messages in (exc.details if isinstance(exc.details, dict) else {}).items():
            name = fields.get(key, key)
            if name in self.fields and name != "updated_at":
                for message in messages:
                    self.add_error(name, str(message))
                placed = True
            else:
                for message in messages:
                    self.add_error(None, str(message))
                placed = True
        if not placed:
            self.add_error(None, exc.message)

    def take_stored_time(self, result) -> None:
        """After a stale refusal: the next save is checked against what is stored now."""
        self.data = self.data.copy()
        self.data["updated_at"] = result.updated_at.isoformat() if result is not None else ""


class PhysicalForm(forms.Form):
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)
    measured_on = date_field(_("Ngày đo"))
    # Text, not numbers: the upload's reader takes the decimal comma ("128,5") and says what is wrong.
    height_cm = forms.CharField(label=_("Chiều cao (cm)"), max_length=10,
                                widget=text_input(inputmode="decimal", placeholder="128,5"),
                                help_text=_("40 đến 230"))
    weight_kg = forms.CharField(label=_("Cân nặng (kg)"), max_length=10,
                                widget=text_input(inputmode="decimal", placeholder="26,0"),
                                help_text=_("2 đến 200"))

    def add_app_error(self, exc: AppError) -> None:
        placed = False
        for key, messages in (exc.details if isinstance(exc.details, dict) else {}).items():
            if key in self.fields and key != "updated_at":
                for message in messages if isinstance(messages, list) else [messages]:
                    self.add_error(key, str(message))
                placed = True
        if not placed:
            self.add_error(None, exc.message)
