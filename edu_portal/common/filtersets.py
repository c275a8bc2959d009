import django_filters
from django import forms


class PortalFilterSet(django_filters.FilterSet):
    """Every FilterSet of the portal: Bootstrap-styled widgets for the HTML filter forms."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
        return form

    def filter_area(self, queryset, name, value):
        """Pupils or staff of a province's (`province`) or commune's (`commune`) schools (why not by
        a join: edu_portal.common.lookups)."""
        from schools.selectors import school_ids_in_area

        return queryset.filter(school__any_of=school_ids_in_area(**{f"{name}_code": value}))
