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


class PortalFilterSet(django_filters.FilterSet):
    """Every FilterSet of the portal: Bootstrap-styled widgets for the HTML filter forms, and
    numbers kept within what the database can compare."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            if isinstance(field, (forms.IntegerField, forms.DecimalField)) and not getattr(field, "_bounded", False):
                # Any number filter, IdFilter or not: a value beyond bigint is a form error (400), not a
                # database error (500).
                field.validators += [MinValueValidator(-BIGINT_MAX, _("Số quá nhỏ.")),
                                     MaxValueValidator(BIGINT_MAX, _("Số quá lớn."))]
                field._bounded = True
        return form

    def filter_area(self, queryset, name, value):
        """Pupils or staff of a province's (`province`) or commune's (`commune`) schools (why not by
        a join: edu_portal.common.lookups). A commune's people in name order are sorted, not found
        by walking the name index (names.vietnamese_order_by_sorting says why)."""
        queryset = queryset.filter(school__any_of=school_ids_in_area(**{f"{name}_code": value}))
        if name == "commune" and not queryset.query.order_by and \
                list(queryset.model._meta.ordering) == [*vietnamese_order(), "pk"]:
            queryset = queryset.order_by(*vietnamese_order_by_sorting(), "pk")
        return queryset
