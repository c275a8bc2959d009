import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import IdFilter, PortalFilterSet

from .models import Upload, UploadKind, UploadStatus


class UploadFilterSet(PortalFilterSet):
    kind = django_filters.ChoiceFilter(choices=UploadKind.choices, label=_("Loại dữ liệu"))
    status = django_filters.ChoiceFilter(choices=UploadStatus.choices, label=_("Trạng thái"))
    # Places and the school: pickers by name on the page (uploads.views), codes and ids in links.
    province = django_filters.CharFilter(field_name="province_id", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(field_name="school__commune_id", label=_("Xã/phường"))
    school = IdFilter(field_name="school_id", label=_("Trường"))

    class Meta:
        model = Upload
        fields = ["kind", "status", "province", "commune", "school"]
