import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from api.models import ApiToken
from edu_portal.common.filtersets import IdFilter, PortalFilterSet

from .models import AUDITED_MODELS, Action, AuditEvent, Door

MODEL_CHOICES = [(label, label) for label in AUDITED_MODELS]


class AuditEventFilterSet(PortalFilterSet):
    user = django_filters.CharFilter(method="filter_user", label=_("Người dùng"))
    model = django_filters.ChoiceFilter(choices=MODEL_CHOICES, label=_("Loại hồ sơ"))
    record = IdFilter(method="filter_record", label=_("Mã hồ sơ (id)"))
    since = django_filters.DateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("Từ (YYYY-MM-DD HH:MM)"))
    until = django_filters.DateTimeFilter(field_name="occurred_at", lookup_expr="lt", label=_("Đến trước"))
    door = django_filters.ChoiceFilter(choices=Door.choices, label=_("Kênh"))
    action = django_filters.ChoiceFilter(choices=Action.choices, label=_("Hành động"))
    request_id = django_filters.CharFilter(field_name="request_id", label=_("Mã yêu cầu"))

    class Meta:
        model = AuditEvent
        fields = ["user", "model", "record", "since", "until", "door", "action", "request_id"]

    def filter_user(self, queryset, name, value):
        """By username: rows written under that name, and tasks/uploads done on that user's behalf."""
        ids = list(User.objects.filter(username__iexact=value.strip()).values_list("pk", flat=True))
        # Also what was done with tokens this user issued to someone else (they hold the secret).
        issued = list(ApiToken.objects.filter(created_by_id__in=ids).values_list("pk", flat=True)) if ids else []
        return queryset.filter(Q(actor__iexact=value.strip()) | Q(actor_id__in=ids) | Q(token_id__in=issued))

    def filter_record(self, queryset, name, value):
        pk = int(value)
        return queryset.filter(Q(record_id=pk) | Q(record_ids__contains=[pk]))
