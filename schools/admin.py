from django.contrib import admin
from django.db import transaction

from accounts.scope import Scope

from .models import School
from .services import school_delete


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "ownership", "province", "status", "last_synced_at")
    list_filter = ("level", "ownership", "status", "province")
    search_fields = ("code", "name")
    raw_id_fields = ("commune", "merged_into")
    list_select_related = ("province",)

    # Deletes go through the service, as for pupils and staff: it checks the user's scope and writes
    # the tombstone that tells clients syncing with `updated_since` (the deleted/ feed). The admin
    # itself refuses, before calling these, a school that still has pupils, staff or users.
    def delete_model(self, request, obj):
        school_delete(scope=Scope.for_user(request.user), school=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        scope = Scope.for_user(request.user)
        for school in queryset:
            school_delete(scope=scope, school=school)
