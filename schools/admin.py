from django.contrib import admin

from .models import School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "ownership", "province", "status", "last_synced_at")
    list_filter = ("level", "ownership", "status", "province")
    search_fields = ("code", "name")
    raw_id_fields = ("commune", "merged_into")
    list_select_related = ("province",)
