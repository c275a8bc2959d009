from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User

# Only a superuser grants the right to see full ID numbers (or makes another superuser): a staff
# user who may edit users must not be able to hand the right to themself or to an account whose
# password they know.
GRANTED_BY_SUPERUSERS = ("is_superuser", "may_view_id_numbers")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "province", "school", "may_view_id_numbers", "is_active")
    list_filter = ("role", "province", "may_view_id_numbers", "is_active")
    raw_id_fields = ("school",)
    fieldsets = BaseUserAdmin.fieldsets + (("Phạm vi", {"fields": ("role", "province", "school", "may_view_id_numbers")}),)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, *GRANTED_BY_SUPERUSERS]
