"""What every record endpoint shares: scope, strict query parameters, keyset pages, write rules.

Each app's api/views.py declares its selectors, FilterSet, serializers and services; the
behaviour (and the tests in tests/api/) is the same for schools, staff and pupils.

The platform knows no app: the scope of a request comes from the resolver the api app names in
settings.API_SCOPE_RESOLVER (tokens live there), and full ID numbers shown are announced with the
signal edu_portal.common.signals.id_numbers_shown (the audit app records them).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import normalize_name
from edu_portal.common.signals import id_numbers_shown
from edu_portal.common.tombstones import DeletedRecord, KeyChange, RecordKind

from .feed import FEED_PARAMETERS, FEED_PARAMS, FeedWindow
from .importing import validate_like_upload
from .pagination import EARLIEST, LATEST, KeysetPagination, in_range
from .profiles import refuse_unwritable, request_rule, trim

ID_LIKE = re.compile(r"\d{9,12}")  # what edu_portal.common.search treats as an ID number
PAGING_PARAMS = {"cursor", "page_size", "updated_since"}
FEED_PAGING_PARAMS = PAGING_PARAMS | FEED_PARAMS  # a feed's paging, snapshot and partition (feed.py)
BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}

UPDATED_SINCE = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME, required=False,
    description="Chỉ các bản ghi cập nhật từ thời điểm này (ISO 8601, gồm cả thời điểm đó). Bản ghi đã xoá: "
                "xem địa chỉ deleted/ của cùng loại bản ghi.")


DELETE_REASON = OpenApiParameter(
    "reason", OpenApiTypes.STR, required=False,
    description="Lý do xoá (bắt buộc, tối đa 500 ký tự): chỉ xoá hồ sơ nhập nhầm. Gửi ở đây hoặc trong thân "
                'yêu cầu JSON {"reason": "..."}; thiếu lý do: 400. Lý do được ghi trong danh sách đã xoá '
                "(deleted/) và nhật ký truy cập.")


def delete_reason(request) -> str:
    """The reason of a DELETE: the JSON body's "reason", else ?reason= (some HTTP clients send no body
    with DELETE). A reason that is not text is no reason."""
    data = request.data if isinstance(request.data, dict) else {}
    reason = data.get("reason")
    if reason is None:
        reason = request.query_params.get("reason", "")
    return reason if isinstance(reason, str) else ""


def request_scope(request):
    """The scope of an API request (accounts.scope.Scope), as settings.API_SCOPE_RESOLVER gives it:
    the token's scope for token clients, the user's for sessions."""
    return import_string(settings.API_SCOPE_RESOLVER)(request)


class ReadOnlyUnlessWriteToken(permissions.BasePermission):
    """Reads for any authenticated client; writes only with a read-write API token (the api
    app's ApiToken, the only authentication that sets `request.auth` to an object with `can_write`)."""

    message = "Mã truy cập này chỉ được đọc; cần mã có quyền ghi."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return getattr(request.auth, "can_write", False) is True


def parse_updated_since(raw: str | None) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    moment = None
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))  # a '+' arrives as a space if not escaped
    except ValueError:
        moment = None
    if moment is None:
        raise AppError(gettext("updated_since: Phải là thời điểm ISO 8601, ví dụ 2026-09-05T08:00:00+07:00."),
                       details={"updated_since": ["Không phải thời điểm ISO 8601 hợp lệ."]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # without an offset: Vietnam time (TIME_ZONE)
    if not in_range(moment):
        message = f"Phải từ năm {EARLIEST.year} đến trước năm {LATEST.year}."
        raise AppError(gettext("updated_since: %(message)s") % {"message": message}, details={"updated_since": [message]})
    # The same moment in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (-23:59).
    return moment.astimezone(dt.UTC)


def check_query_params(request, allowed: set[str]) -> None:
    """Unknown, empty or repeated parameters are refused: a typo must not silently widen a query."""
    params = request.query_params
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise AppError(gettext("Tham số không được hỗ trợ: %(join)s.") % {"join": ', '.join(unknown)}, code="unknown_parameter",
                       details={name: ["Tham số không được hỗ trợ."] for name in unknown}
                       | {"allowed": sorted(allowed)})
    bad = {name: ["Không được để trống."] for name in params if not params.get(name, "").strip()}
    bad |= {name: ["Chỉ được ghi một lần."] for name in params if len(params.getlist(name)) > 1}
    if bad:
        name = next(iter(bad))
        raise AppError(gettext("%(name)s: %(value)s") % {"name": name, "value": bad[name][0]}, code="invalid", details=bad)


def filter_params(request, filterset_class) -> dict:
    """The query string minus paging: only the FilterSet's own names, no empty or repeated ones,
    and yes/no filters that say yes or no (the pages' selects read anything else as "either")."""
    check_query_params(request, set(filterset_class.base_filters) | FEED_PAGING_PARAMS)
    params = request.query_params.copy()
    for name in FEED_PAGING_PARAMS:
        params.pop(name, None)
    for name, value in params.items():
        if isinstance(filterset_class.base_filters[name], BooleanFilter) and value not in BOOLEAN_VALUES:
            raise AppError(gettext("%(name)s: Phải là true hoặc false.") % {"name": name}, details={name: ["Phải là true hoặc false."]})
    return params


def filtered(filterset_class, params, queryset, *, scope=None):
    """The page's FilterSet over the selector's scoped queryset; its form errors are a 400."""
    if not params:
        return queryset  # nothing to filter: no form to build
    filterset = filterset_class(params, queryset=queryset)
    # As on the pages: a full ID number finds its owner only for scopes that may see ID numbers.
    filterset.id_search = bool(scope and scope.can_view_id_numbers)
    if not filterset.is_valid():
        errors = {field: [str(m) for m in msgs] for field, msgs in filterset.errors.items()}
        first = next(iter(errors.items()))
        raise AppError(gettext("%(value)s: %(value2)s") % {"value": first[0], "value2": first[1][0]}, code="invalid", details=errors)
    return filterset.qs


class RecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """List + detail (+ create, partial update, delete where the subclass names a service)."""

    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]  # for the OpenAPI description; filtering runs in the selector
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = None
    model = None
    detail_serializer_class = None
    write_serializer_class = None
    update_serializer_class = None
    list_order = ("school_id", "id")  # see pagination.py
    partition_field = "school_id"  # what `partition` divides on (feed.py): the same rule on every feed
    code_field = None  # the record's code, for `q` searches by digits (see _id_search_as_code)
    importer = None  # the app's RecordImporter: API writes follow the upload's row rules (importing.py)
    not_for_update: frozenset[str] = frozenset()  # importer fields an update leaves alone (importing.py)
    # The resource a token's profile names (its address under /api/v1/) and the fields every read keeps
    # whatever the profile (profiles.py: a client cannot sync records without their keys).
    profile_resource = ""
    profile_keys: tuple[str, ...] = ("id",)

    # Subclasses implement these as one-line calls to their app's selectors and services.
    def select_list(self, *, scope, filters):
        raise NotImplementedError

    def select_one(self, *, scope, pk):
        raise NotImplementedError

    def current_row(self, record) -> dict:
        """The stored record as an upload row of `importer` carries it (for partial updates)."""
        raise NotImplementedError

    def validated(self, data: dict, *, scope, school, record=None) -> dict:
        """`data` through the upload's row rules: the keyword arguments for the app's service."""
        return validate_like_upload(self.importer, data, scope=scope, school=school, instance=record,
                                    current_row=self.current_row(record) if record is not None else None,
                                    not_for_update=self.not_for_update)

    def add_related(self, rows: list[dict]) -> None:
        """Values a page's rows take from other tables (their schools' codes, say), which a
        subclass adds with a small second query rather than a join."""

    def get_queryset(self):
        return self.model.objects.none()  # only for the schema generator: data comes from selectors

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["scope"] = request_scope(self.request)
        return context

    def list(self, request, *args, **kwargs):
        scope = request_scope(request)
        filters = filter_params(request, self.filterset_class)
        since = parse_updated_since(request.query_params.get("updated_since"))
        window = FeedWindow.from_request(request)
        code_only = self._id_search_as_code(scope, filters)
        # The selector gives the scoped records; the FilterSet runs once, over them (the selector
        # applies the same FilterSet when it is handed filters, as the pages do).
        queryset = filtered(self.filterset_class, filters, self.select_list(scope=scope, filters=None), scope=scope)
        if code_only:
            queryset = queryset.filter(**code_only)
        # Only the listed columns, as dicts: no model instances for a page of 100 records.
        queryset = queryset.select_related(None).values(*self.serializer_class.LIST_VALUES)
        if since is not None:
            queryset = queryset.filter(updated_at__gte=since)
        queryset = window.apply(queryset, stamp="updated_at", school=self.partition_field)
        order = ("updated_at", "id") if since is not None else self.list_order
        rows = self.paginator.paginate_queryset(queryset, request, view=self, order=order)
        self.add_related(rows)
        serializer = self.get_serializer(rows, many=True, context={"scope": scope, "request": request})
        data = self._trimmed(request, serializer.data)
        # Full numbers shown: only those the profile lets through (a profile without id_number shows none).
        self._audit_id_numbers(request, scope, [SimpleNamespace(pk=r["id"], id_number=r.get("id_number"))
                                                for r, shown in zip(rows, data, strict=True) if "id_number" in shown])
        return self.paginator.get_paginated_response(data)

    def _trimmed(self, request, data):
        """The readable fields of these serialized records (the token's profile)."""
        rule = request_rule(request, self.profile_resource)
        if rule is None:
            return data
        return trim(data if isinstance(data, list) else [data], rule, self.profile_keys)

    def _audit_id_numbers(self, request, scope, records) -> None:
        """Full ID numbers in a response are personal data shown: the audit trail records it."""
        if not any(f.name == "id_number" for f in self.model._meta.fields):
            return
        id_numbers_shown.send(sender=self.model, request=request, scope=scope, records=records,
                              exported=request.query_params.get("format") == "csv")

    def retrieve(self, request, pk=None, *args, **kwargs):
        check_query_params(request, set())
        scope = request_scope(request)
        record = self.select_one(scope=scope, pk=self._pk(pk))
        return self._detail(request, scope, record, audit=True)

    def _detail(self, request, scope, record, status_code=status.HTTP_200_OK, *, audit: bool = False) -> Response:
        """A record as its detail shows it to this client (the profile's fields); with `audit` (a read), its full
        number recorded as shown when the profile lets it through."""
        data = self._trimmed(request, self.detail_serializer_class(record, context={"scope": scope, "request": request}).data)
        data = data[0] if isinstance(data, list) else data
        if audit and "id_number" in data:
            self._audit_id_numbers(request, scope, [record])
        return Response(data, status=status_code)

    def create(self, request, *args, **kwargs):
        check_query_params(request, set())
        scope = request_scope(request)
        refuse_unwritable(request.data, request_rule(request, self.profile_resource))
        serializer = self.write_serializer_class(data=request.data, context={"scope": scope, "request": request})
        serializer.is_valid(raise_exception=True)
        record = self.perform_write(scope=scope, data=serializer.validated_data)
        record = self.select_one(scope=scope, pk=record.pk)
        return self._detail(request, scope, record, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None, *args, **kwargs):
        check_query_params(request, set())
        scope = request_scope(request)
        record = self.select_one(scope=scope, pk=self._pk(pk))
        refuse_unwritable(request.data, request_rule(request, self.profile_resource))
        serializer = self.update_serializer_class(data=request.data, partial=True,
                                                  context={"scope": scope, "request": request, "instance": record})
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data:
            raise AppError(gettext("Không có thông tin nào để sửa."), details={"__all__": ["Thân yêu cầu trống."]})
        self.perform_update(scope=scope, record=record, data=serializer.validated_data)
        record = self.select_one(scope=scope, pk=record.pk)
        return self._detail(request, scope, record)

    def destroy(self, request, pk=None, *args, **kwargs):
        check_query_params(request, {"reason"})
        scope = request_scope(request)
        record = self.select_one(scope=scope, pk=self._pk(pk))
        # The service normalizes the reason and refuses it blank or over 500 characters.
        self.perform_delete(scope=scope, record=record, reason=delete_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _id_search_as_code(self, scope, filters) -> dict:
        """`q` with a full ID number finds its owner; a client that may not see ID numbers must
        not use it to learn whose a number is, so for it digits are searched as a code only."""
        if not self.code_field or scope.can_view_id_numbers:
            return {}
        q = normalize_name(filters.get("q", ""))
        if not ID_LIKE.fullmatch(q):
            return {}
        filters.pop("q")
        return {self.code_field: q}

    @staticmethod
    def _pk(pk) -> int:
        # The URL pattern only admits digits; an id beyond bigint cannot exist.
        value = int(pk)
        if value >= 2**63:
            raise NotInScope()
        return value


def natural_key(kind: str, *, code: str, school_code: str, id_number: str | None, scope,
                numbers: bool = True) -> dict:
    """How clients know a record without our ids: a school by its code; a pupil or a staff member by their
    school's code and their own code, and their ID number, masked unless the reader may see full numbers
    (none when `numbers` is off: a token whose profile does not read id_number)."""
    if kind == RecordKind.SCHOOL:
        return {"school_code": code}
    code_name = "pupil_code" if kind == RecordKind.STUDENT else "staff_code"
    return {"school_code": school_code, code_name: code,
            "id_number": scope.show_id_number(id_number) if numbers else None}


PROFILE_RESOURCE = {RecordKind.STUDENT: "students", RecordKind.STAFF: "staff", RecordKind.SCHOOL: "schools"}


def _numbers_readable(request, kind: str) -> bool:
    """Whether this client's profile reads ID numbers of this kind (issue 20: profiles hold on feeds too)."""
    rule = request_rule(request, PROFILE_RESOURCE.get(kind, ""))
    return rule is None or rule.read is None or "id_number" in rule.read


NATURAL_KEY_SCHEMA = {
    "type": "object",
    "description": "Khoá tự nhiên: trường: school_code; học sinh: school_code, pupil_code, id_number; cán bộ: "
                   "school_code, staff_code, id_number (số định danh bị che trừ khi mã truy cập được xem đầy đủ).",
    "properties": {"school_code": {"type": "string"}, "pupil_code": {"type": "string"},
                   "staff_code": {"type": "string"}, "id_number": {"type": "string"}},
}


@extend_schema_field(NATURAL_KEY_SCHEMA)
class NaturalKeyField(serializers.Field):
    """Read-only: a tombstone's natural key."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row):
        return natural_key(row.kind, code=row.code, school_code=row.school_code, id_number=row.id_number,
                           scope=self.context["scope"], numbers=self.context.get("numbers", True))


class DeletedRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record_id", help_text="id của bản ghi đã xoá")
    code = serializers.CharField(help_text="mã của bản ghi đã xoá")
    natural_key = NaturalKeyField(help_text="khoá tự nhiên của bản ghi đã xoá, như lúc xoá")
    deleted_at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="Lý do xoá (hồ sơ nhập nhầm); trống với bản ghi xoá trước khi phải ghi lý do")


KEY_SIDE_SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, **NATURAL_KEY_SCHEMA["properties"]}}


@extend_schema_field(KEY_SIDE_SCHEMA)
class KeySideField(serializers.Field):
    """Read-only: one side of a key change, `old` or `new` (its field name): the id and the natural key."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row):
        p = f"{self.field_name}_"
        return {"id": getattr(row, f"{p}id"),
                **natural_key(row.kind, code=getattr(row, f"{p}code"), school_code=getattr(row, f"{p}school_code"),
                              id_number=getattr(row, f"{p}id_number"), scope=self.context["scope"],
                              numbers=self.context.get("numbers", True))}


class KeyChangeSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="merge: hồ sơ trùng được gộp vào hồ sơ khác")
    old = KeySideField(help_text="id và khoá tự nhiên không còn dùng (bản ghi đã xoá)")
    new = KeySideField(help_text="id và khoá tự nhiên thay thế")
    changed_at = serializers.DateTimeField()


def _audit_tombstone_numbers(request, scope, rows, pairs, *, numbers: bool) -> None:
    """Full ID numbers shown in a feed are recorded like those of the record lists."""
    if numbers and scope.can_view_id_numbers and rows:
        records = [SimpleNamespace(pk=getattr(r, pk), id_number=getattr(r, number)) for r in rows
                   for pk, number in pairs]
        id_numbers_shown.send(sender=type(rows[0]), request=request, scope=scope, records=records)


def _feed_view(kind: str, *, model, serializer_class, stamp: str, summary: str, description: str, audit):
    """GET <records>/<feed>/?updated_since=&snapshot=&partition=&partitions=: rows of `model` of this kind
    within the scope, by (stamp, id). Rows keep their old school and province ids: the scope filters on
    those copies, so a province never reads another's."""

    class Feed(viewsets.GenericViewSet):
        permission_classes = [permissions.IsAuthenticated]
        pagination_class = KeysetPagination
        serializer_class = None
        queryset = model.objects.none()

        @extend_schema(summary=summary, description=description, parameters=[UPDATED_SINCE, *FEED_PARAMETERS])
        def list(self, request, *args, **kwargs):
            check_query_params(request, FEED_PAGING_PARAMS)
            scope = request_scope(request)
            window = FeedWindow.from_request(request)
            queryset = scope.filter(model.objects.filter(kind=kind), province_field="province")
            since = parse_updated_since(request.query_params.get("updated_since"))
            if since is not None:
                queryset = queryset.filter(**{f"{stamp}__gte": since})
            queryset = window.apply(queryset, stamp=stamp, school="school_id")
            rows = self.paginator.paginate_queryset(queryset, request, view=self, order=(stamp, "id"))
            numbers = _numbers_readable(request, kind)
            _audit_tombstone_numbers(request, scope, rows, audit, numbers=numbers)
            data = self.get_serializer(rows, many=True,
                                       context={"scope": scope, "request": request, "numbers": numbers}).data
            return self.paginator.get_paginated_response(data)

    Feed.serializer_class = serializer_class
    Feed.__name__ = f"{model.__name__}{kind.title()}Feed"
    return Feed.as_view({"get": "list"})


FEED_HOW = ("Khoá tự nhiên (natural_key) để khớp hồ sơ không cần id. Tải đầy đủ / đồng bộ tăng dần nhất quán: "
            "snapshot và updated_since=<as_of của ảnh chụp trước>; tải song song: partition/partitions.")


def deleted_feed_view(kind: str, *, summary: str):
    """GET <records>/deleted/: tombstones of this kind, each with its natural key."""
    return _feed_view(kind, model=DeletedRecord, serializer_class=DeletedRecordSerializer, stamp="deleted_at",
                      summary=summary, description=FEED_HOW, audit=[("record_id", "id_number")])


def key_changes_feed_view(kind: str, *, summary: str):
    """GET <records>/key-changes/: natural keys replaced by others (merges), old and new."""
    return _feed_view(kind, model=KeyChange, serializer_class=KeyChangeSerializer, stamp="changed_at",
                      summary=summary, description=FEED_HOW,
                      audit=[("old_id", "old_id_number"), ("new_id", "new_id_number")])


def iso_datetime(value) -> str | None:
    """As DRF's DateTimeField writes it: local time (TIME_ZONE, which the portal never switches
    per request), ISO 8601."""
    if value is None:
        return None
    return _iso_in(value, timezone.get_default_timezone())


@lru_cache(maxsize=4096)
def _iso_in(value: dt.datetime, zone) -> str:
    # Memoised: records written by one upload share their timestamps, and the time-zone
    # conversion is the dearest part of rendering a page of them.
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None
