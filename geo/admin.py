from django.contrib import admin

from .models import Commune, EthnicGroup, LegacyProvince, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division_type")
    search_fields = ("code", "name")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("province",)
    search_fields = ("code", "name")


@admin.register(LegacyProvince)
class LegacyProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province")
    search_fields = ("code", "name")


@admin.register(EthnicGroup)
class EthnicGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "aliases")
    search_fields = ("code", "name")
