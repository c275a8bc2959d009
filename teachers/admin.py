from django.contrib import admin
from django.db import transaction

from accounts.scope import Scope
from edu_portal.common.admin import ADMIN_DELETE_REASON, IdNumberAdminMixin

from .models import StaffMember
from .services import staff_delete, staff_standard_apply


@admin.register(StaffMember)
class StaffMemberAdmin(IdNumberAdminMixin, admin.ModelAdmin):
    """ID numbers: masked, unsearchable and out of the form without the right; audited with it."""

    list_display = ("staff_code", "full_name", "position", "qualification", "training_field",
                    "qualification_standard", "school", "verification_status")
    list_filter = ("position", "qualification", "training_field", "pedagogy_certificate", "qualification_standard",
                   "employment_status", "verification_status")
    # Derived (teachers/standards.py), never typed: recomputed on save below.
    readonly_fields = ("qualification_standard", "meets_qualification_standard")
    search_fields = ("staff_code", "full_name")  # + "=id_number" for users with the right (the mixin)
    raw_id_fields = ("school",)
    list_select_related = ("school",)
    show_full_result_count = False

    # Deletes go through the service, as the API's do: it checks the user's scope and writes the
    # tombstone that tells clients syncing with `updated_since` (the deleted/ feed); a plain delete
    # would leave them holding a record that no longer exists.
    def save_model(self, request, obj, form, change):
        staff_standard_apply(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        staff_delete(scope=Scope.for_user(request.user), staff=obj, reason=ADMIN_DELETE_REASON)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        scope = Scope.for_user(request.user)
        for record in queryset.select_related("school"):
            staff_delete(scope=scope, staff=record, reason=ADMIN_DELETE_REASON)
