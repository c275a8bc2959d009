import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from api.models import ApiToken
from edu_portal.common.filtersets import IdFilter, PortalFilterSet

from .describe import MORE_AUDITED, kind_label
from .models import AUDITED_MODELS, Action, AuditEvent, Door


def model_choices() -> list[tuple[str, str]]:
    """The kinds of records in the trail by their names (a callable: translated when the form is built)."""
    return ([(label, kind_label(label)) for label in (*AUDITED_MODELS, *MORE_AUDITED)]
            + [("common.deletedrecord", _("Lý do xoá"))])


# Typed by people: dd/mm/yyyy (how dates are written here) or yyyy-mm-dd, with or without a time.
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TIME_FORMATS = tuple(f"{day} {time}" for day in DAY_FORMATS for time in ("%H:%M", "%H:%M:%S"))
BAD_DATE = _("Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy (ví dụ 04/12/2026) hoặc yyyy-mm-dd, "
             "có thể kèm giờ (04/12/2026 14:30).")


class DayOrTimeField(forms.Field):
    """A day or a moment, in the portal's time zone. Cleans to (moment, has_time): a bare day means
    that whole day (from its start; `until` takes its end)."""

    widget = forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 12})
    default_error_messages = {"invalid": BAD_DATE}

    def to_python(self, value):
        text = " ".join((value or "").split())
        if not text:
            return None
        for formats, has_time in ((TIME_FORMATS, True), (DAY_FORMATS, False)):
            for fmt in formats:
                try:
                    moment = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware below)
                except ValueError:
                    continue
                if moment.year < 2000:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
                return timezone.make_aware(moment), has_time
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class DayOrTimeFilter(django_filters.Filter):
    field_class = DayOrTimeField

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        super().__init__(*args, field_name="occurred_at", **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        moment, has_time = value
        if self.end:
            # "Đến ngày 04/12/2026" includes that day; "đến 04/12/2026 14:30" stops before that minute.
            return qs.filter(occurred_at__lt=moment if has_time else moment + datetime.timedelta(days=1))
        return qs.filter(occurred_at__gte=moment)


class AuditEventFilterSet(PortalFilterSet):
    # Which of the two logs (selectors.LOGS): chosen by the page's tabs, kept by its filter form.
    log = django_filters.ChoiceFilter(choices=[("changes", _("Thay đổi hồ sơ")), ("views", _("Ai đã xem số định danh"))],
                                      label=_("Nhật ký"),
                                      method="filter_log", widget=forms.HiddenInput)
    user = django_filters.CharFilter(method="filter_user", label=_("Người thực hiện"),
                                     widget=forms.TextInput(attrs={"list": "audit-users", "autocomplete": "off"}))
    model = django_filters.ChoiceFilter(choices=model_choices, label=_("Loại hồ sơ"), empty_label=_("Tất cả"))
    record = IdFilter(method="filter_record", label=_("Mã hồ sơ (id)"), widget=forms.HiddenInput)
    since = DayOrTimeFilter(label=_("Từ ngày"))
    until = DayOrTimeFilter(label=_("Đến ngày"), end=True)
    action = django_filters.ChoiceFilter(choices=Action.choices, label=_("Hành động"), empty_label=_("Tất cả"))
    door = django_filters.ChoiceFilter(choices=Door.choices, label=_("Kênh"), empty_label=_("Tất cả"))
    request_id = django_filters.CharFilter(field_name="request_id", label=_("Mã yêu cầu"))

    class Meta:
        model = AuditEvent
        fields = ["log", "user", "model", "action", "since", "until", "door", "request_id", "record"]

    def filter_log(self, queryset, name, value):
        return queryset  # applied by selectors.event_list(log=...), where the partial index needs it

    def filter_user(self, queryset, name, value):
        """By username: rows written under that name, and tasks/uploads done on that user's behalf."""
        typed = value.strip()
        users = list(User.objects.filter(username__iexact=typed).values_list("pk", "username"))
        ids = [pk for pk, _username in users]
        # Also what was done with tokens this user issued to someone else (they hold the secret).
        issued = list(ApiToken.objects.filter(created_by_id__in=ids).values_list("pk", flat=True)) if ids else []
        # The name exactly as written (index audit_actor), not upper(actor): a picked or typed user is
        # looked up by its real spelling.
        names = {typed, *(username for _pk, username in users)}
        return queryset.filter(Q(actor__in=names) | Q(actor_id__in=ids) | Q(token_id__in=issued))

    def filter_record(self, queryset, name, value):
        pk = int(value)
        return queryset.filter(Q(record_id=pk) | Q(record_ids__contains=[pk]))
