from django.contrib import admin

from .models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("staff_code", "full_name", "position", "qualification", "meets_qualification_standard",
                    "school", "verification_status")
    list_filter = ("position", "qualification", "meets_qualification_standard", "employment_status",
                   "verification_status")
    search_fields = ("staff_code", "full_name", "id_number")
    raw_id_fields = ("school",)
    list_select_related = ("school",)
    show_full_result_count = False
