from django.contrib import admin

from .models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "file_name", "school", "uploaded_by", "created_at", "status", "total_rows",
                    "error_count")
    list_filter = ("kind", "status")
    search_fields = ("file_name", "school__code", "uploaded_by__username")
    raw_id_fields = ("school", "uploaded_by", "committed_by")
    readonly_fields = [f.name for f in Upload._meta.fields]
