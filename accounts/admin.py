from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "province", "school", "may_view_id_numbers", "is_active")
    list_filter = ("role", "province", "may_view_id_numbers", "is_active")
    raw_id_fields = ("school",)
    fieldsets = BaseUserAdmin.fieldsets + (("Phạm vi", {"fields": ("role", "province", "school", "may_view_id_numbers")}),)
