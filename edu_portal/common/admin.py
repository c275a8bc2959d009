"""Django admin pages of people (pupils, staff) obey the right to see full ID numbers like every
other door, and showing full numbers there is audited like a record's page.

Without this, any staff user could read and search every full ID number in the country through
/admin/, whatever their `may_view_id_numbers` flag, and nothing was recorded. The admin is an
operators' tool, so the rules are the simplest safe ones: without the right the number is shown
masked, is not in the form (so it can be neither read nor overwritten) and cannot be searched;
with it, a search must name the whole number (no substring scans of ID numbers), and every
changelist and change page that shows full numbers records which records it showed.
"""
from __future__ import annotations

from django.contrib import admin

from .identity import mask_id_number
from .signals import id_numbers_shown

# Django admin's delete confirmation asks for no reason; a deletion there is named as made there
# (students/teachers admin; the audit trail records who).
ADMIN_DELETE_REASON = "Xoá trong trang quản trị"

ID_NUMBER = "id_number"


def may_view_id_numbers(request) -> bool:
    return bool(getattr(request.user, "may_view_id_numbers", False))


class IdNumberAdminMixin:
    """For a ModelAdmin of a model with `id_number`. Put ID_NUMBER in list_display where the
    number belongs; search_fields must not name it (the mixin adds the exact search)."""

    @admin.display(description="số định danh cá nhân")
    def id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def _swap(self, names, request):
        if may_view_id_numbers(request):
            return list(names)
        return ["id_number_masked" if name == ID_NUMBER else name for name in names]

    def get_list_display(self, request):
        return self._swap(super().get_list_display(request), request)

    def get_search_fields(self, request):
        fields = [f for f in super().get_search_fields(request) if f.lstrip("=^@") != ID_NUMBER]
        # Exact match only: a substring search would let the admin test digits one at a time.
        return [*fields, "=" + ID_NUMBER] if may_view_id_numbers(request) else fields

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if may_view_id_numbers(request) else [*exclude, ID_NUMBER]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if may_view_id_numbers(request) or obj is None:
            return readonly
        return [*readonly, "id_number_masked"]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if may_view_id_numbers(request) and ID_NUMBER in changelist.list_display:
            self._audit(request, changelist.result_list)
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and may_view_id_numbers(request):
            self._audit(request, [obj])
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _audit(self, request, records) -> None:
        # The audit app (above the platform) records it; the right was checked by the caller.
        id_numbers_shown.send(sender=self.model, request=request, scope=None, records=list(records))
