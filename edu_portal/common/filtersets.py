import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .lookups import school_ids_in_area
from .names import vietnamese_order, vietnamese_order_by_sorting

# PostgreSQL's bigint: an id or number beyond it cannot match anything, and sent as a query value
# it fails in the database (a 500) instead of being refused as a bad filter.
BIGINT_MAX = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number from 1 to bigint's maximum (not 1.5, not 10^23)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


# A picker's choice makes the pickers after it stale: a new province empties the commune, school and
# class picked in the old one (static/js/pickers.js clears them and sends the form).
PICKER_CLEARS = {"province": "commune school grade class_name", "commune": "school grade class_name",
                 "school": "grade class_name", "grade": "class_name"}


class PortalFilterSet(django_filters.FilterSet):
    """Every FilterSet of the portal: Bootstrap-styled widgets for the HTML filter forms, and
    numbers kept within what the database can compare."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            if str(getattr(field, "empty_label", None) or "").startswith("---"):
                # The empty choice of a filter means "no filter": it reads so, not "---------".
                field.empty_label = _("Tất cả")
                choices = list(getattr(field.widget, "choices", []) or [])
                if choices and choices[0][0] in ("", None):
                    field.widget.choices = [("", _("Tất cả"))] + choices[1:]
            if isinstance(field, (forms.IntegerField, forms.DecimalField)) and not getattr(field, "_bounded", False):
                # Any number filter, IdFilter or not: a value beyond bigint is a form error (400), not a
                # database error (500).
                field.validators += [MinValueValidator(-BIGINT_MAX, _("Số quá nhỏ.")),
                                     MaxValueValidator(BIGINT_MAX, _("Số quá lớn."))]
                field._bounded = True
        return form

    def use_pickers(self, choices: dict[str, list[tuple] | None], *, hidden: tuple[str, ...] = (),
                    search: dict[str, str] | None = None) -> None:
        """The HTML list page's filter form: each filter named in `choices` is shown as a select of
        those (value, label) pairs, or, for None, kept as a hidden field (a filter the page does not
        offer, still carried by links); `hidden` filters too; `search`: the pickers searched by name through an
        endpoint (name -> its URL). Only the widgets change: the filters, their
        parameters and their validation stay those of the API."""
        form = self.form
        for name, options in choices.items():
            field = form.fields.get(name)
            if field is None:
                continue
            if options is None:
                field.widget = forms.HiddenInput()
                continue
            attrs = {"class": "form-select form-select-sm", "data-picker": PICKER_CLEARS.get(name, "")}
            if name in (search or {}):
                # A search box fills this picker from a JSON endpoint (static/js/pickers.js): too many to list.
                attrs["data-search"] = search[name]
                attrs["data-search-label"] = _("Tìm theo tên hoặc mã")
            field.widget = forms.Select(attrs=attrs, choices=[("", _("Tất cả"))] + [(str(v), label) for v, label in options])
        for name in hidden:
            if name in form.fields:
                form.fields[name].widget = forms.HiddenInput()

    def filter_area(self, queryset, name, value):
        """Pupils or staff of a province's (`province`) or commune's (`commune`) schools (why not by
        a join: edu_portal.common.lookups). A commune's people in name order are sorted, not found
        by walking the name index (names.vietnamese_order_by_sorting says why)."""
        queryset = queryset.filter(school__any_of=school_ids_in_area(**{f"{name}_code": value}))
        if name == "commune" and not queryset.query.order_by and \
                list(queryset.model._meta.ordering) == [*vietnamese_order(), "pk"]:
            queryset = queryset.order_by(*vietnamese_order_by_sorting(), "pk")
        return queryset
