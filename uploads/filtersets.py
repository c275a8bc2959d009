import django_filters

from edu_portal.common.filtersets import PortalFilterSet

from .models import Upload, UploadKind, UploadStatus


class UploadFilterSet(PortalFilterSet):
    kind = django_filters.ChoiceFilter(choices=UploadKind.choices, label="Loại dữ liệu")
    status = django_filters.ChoiceFilter(choices=UploadStatus.choices, label="Trạng thái")
    school = django_filters.NumberFilter(field_name="school_id", label="Trường (id)")

    class Meta:
        model = Upload
        fields = ["kind", "status", "school"]
