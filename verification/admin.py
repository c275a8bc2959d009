from django.contrib import admin

from .models import EnrichmentCursor, VerificationRun


@admin.register(VerificationRun)
class VerificationRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "scope", "status", "total", "created_at", "finished_at", "started_by")
    list_filter = ("status",)
    readonly_fields = ("counts",)


@admin.register(EnrichmentCursor)
class EnrichmentCursorAdmin(admin.ModelAdmin):
    list_display = ("school_year", "last_student_id", "pushed", "pass_completed_at", "updated_at")
