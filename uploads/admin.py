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
    # The files, the first errors and the message quote the ID numbers typed into the upload: only
    # staff with the right to see full numbers get them here (the pages follow the same rule).
    ID_BEARING = ("file", "error_file", "staged_file", "errors", "message")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if getattr(request.user, "may_view_id_numbers", False):
            return fields
        return [f for f in fields if f not in self.ID_BEARING]
