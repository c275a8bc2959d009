from django.contrib import admin

from audit.admin import IdNumberAdminMixin

from .models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(IdNumberAdminMixin, admin.ModelAdmin):
    """ID numbers: masked, unsearchable and out of the form without the right; audited with it."""

    list_display = ("staff_code", "full_name", "position", "qualification", "meets_qualification_standard",
                    "school", "verification_status")
    list_filter = ("position", "qualification", "meets_qualification_standard", "employment_status",
                   "verification_status")
    search_fields = ("staff_code", "full_name")  # + "=id_number" for users with the right (the mixin)
    raw_id_fields = ("school",)
    list_select_related = ("school",)
    show_full_result_count = False
