import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import PortalFilterSet

from .models import Upload, UploadKind, UploadStatus


class UploadFilterSet(PortalFilterSet):
    kind = django_filters.ChoiceFilter(choices=UploadKind.choices, label=_("Loại dữ liệu"))
    status = django_filters.ChoiceFilter(choices=UploadStatus.choices, label=_("Trạng thái"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("Trường (id)"))

    class Meta:
        model = Upload
        fields = ["kind", "status", "school"]
