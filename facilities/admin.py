from django.contrib import admin

from .models import EquipmentHolding, EquipmentItem, Site, SiteFacilities


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "school", "commune", "distance_km", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "school__code", "school__name")
    raw_id_fields = ("school", "commune")
    list_select_related = ("school", "commune")
    show_full_result_count = False


@admin.register(SiteFacilities)
class SiteFacilitiesAdmin(admin.ModelAdmin):
    list_display = ("site", "school_year", "pupils", "classes", "classrooms_in_use", "water_source", "electricity",
                    "internet")
    list_filter = ("school_year", "water_source", "electricity", "internet")
    raw_id_fields = ("site", "school")
    list_select_related = ("site",)
    show_full_result_count = False


@admin.register(EquipmentItem)
class EquipmentItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "grade_from", "grade_to", "subject", "circular", "min_quantity", "per")
    list_filter = ("level", "circular", "per")
    search_fields = ("code", "name", "subject")


@admin.register(EquipmentHolding)
class EquipmentHoldingAdmin(admin.ModelAdmin):
    list_display = ("school", "school_year", "item", "quantity", "working")
    list_filter = ("school_year",)
    raw_id_fields = ("school", "item")
    list_select_related = ("school", "item")
    show_full_result_count = False
