"""The change feed's window: snapshots and partitions (issue 20).

A snapshot token pins what a large pull sees while writes go on. PostgreSQL's exported snapshots die with
their session, so the token holds a moment instead, `as_of`, chosen so that every write stamped before it had
committed when the token was made:

    as_of = min(now, the start of the oldest transaction open in the database) - API_SNAPSHOT_MARGIN_SECONDS

Under the token, every feed (records, deleted/, key-changes/, transferred-out/) serves only rows stamped
before `as_of` (updated_at, deleted_at, changed_at). Such a row is stable: if it changes again it is
stamped later and leaves the snapshot, so paging in any order meets each row once. Everything stamped at
or after `as_of` (a record changed or created during the pull, a deletion, a merge) is in the next delta,
`updated_since=<as_of>` under a newer snapshot: the windows [as_of_1, as_of_2), [as_of_2, as_of_3) ... meet
without a gap or an overlap.

Why the oldest open transaction: rows are stamped when written (Python's now() or SQL now(), the start of
the transaction), not when committed, so a transaction that started at 10:00:00 and commits at 10:00:05
writes rows stamped 10:00:00 that nobody could see at 10:00:03. A token made at 10:00:03 gets an as_of no
later than 10:00:00, and the delta from it catches them. The margin covers what the database cannot see:
a stamp taken in Python just before its transaction's first statement, and the clock of an application
server a little behind the database's. A transaction left open holds `as_of` back (the feeds lag, they
do not lose rows); the database role must see the other sessions' xact_start in pg_stat_activity (one
role for the web and the workers, or pg_read_all_stats).

Partitions: `partition=K&partitions=N` keeps the rows whose school id is K modulo N (a school's own id
for schools), the same rule on every feed, so N clients can pull one snapshot in parallel and their
union is the whole.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import BigIntegerField, F, QuerySet, Value
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.exceptions import AppError

SALT = "edu_portal.api.snapshot"
FEED_PARAMS = {"snapshot", "partition", "partitions"}
MAX_PARTITIONS = 256

SNAPSHOT = OpenApiParameter(
    "snapshot", OpenApiTypes.STR, required=False,
    description="Mã ảnh chụp từ POST /api/v1/snapshots/: chỉ các bản ghi thay đổi trước thời điểm `as_of` của "
                "ảnh chụp, để tải nhiều trang (và nhiều phân vùng) nhất quán trong khi dữ liệu vẫn được ghi. "
                "Lần đồng bộ sau: updated_since=<as_of> với một ảnh chụp mới.")
PARTITION = OpenApiParameter(
    "partition", OpenApiTypes.INT, required=False,
    description="Phân vùng K (0 <= K < partitions): các bản ghi có id trường chia partitions dư K.")
PARTITIONS = OpenApiParameter(
    "partitions", OpenApiTypes.INT, required=False,
    description=f"Số phân vùng N (1-{MAX_PARTITIONS}) để tải song song; đi cùng partition.")
FEED_PARAMETERS = [SNAPSHOT, PARTITION, PARTITIONS]


def safe_horizon() -> dt.datetime:
    """The latest moment before which every write has committed (see the module's docstring)."""
    with connection.cursor() as cursor:
        # Every session of this database in a transaction (writing or not yet: one that has not written
        # may still write rows stamped with its start), but not this one, which only reads.
        cursor.execute("SELECT LEAST(clock_timestamp(), min(xact_start)) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                       " AND backend_type = 'client backend' AND xact_start IS NOT NULL")
        horizon = cursor.fetchone()[0]
    return horizon - dt.timedelta(seconds=settings.API_SNAPSHOT_MARGIN_SECONDS)


@dataclass(frozen=True)
class Snapshot:
    token: str
    as_of: dt.datetime
    expires_at: dt.datetime


def snapshot_create() -> Snapshot:
    """A signed token holding a safe `as_of`: nothing is stored, any server of the fleet can read it."""
    as_of = safe_horizon().astimezone(dt.UTC)
    token = signing.dumps({"as_of": as_of.isoformat()}, salt=SALT, compress=True)
    expires_at = timezone.now() + dt.timedelta(seconds=settings.API_SNAPSHOT_MAX_AGE_SECONDS)
    return Snapshot(token=token, as_of=as_of, expires_at=expires_at)


def _bad(field: str, message: str, code: str = "invalid") -> AppError:
    return AppError(gettext("%(field)s: %(message)s") % {"field": field, "message": message}, code=code, details={field: [message]})


def snapshot_as_of(token: str) -> dt.datetime:
    """The `as_of` a token pins; 400 for a token not made here or older than API_SNAPSHOT_MAX_AGE_SECONDS."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.API_SNAPSHOT_MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise _bad("snapshot", gettext("Ảnh chụp đã hết hạn; hãy tạo ảnh chụp mới (POST /api/v1/snapshots/) và "
                                       "tải lại từ thời điểm đã đồng bộ."), code="snapshot_expired") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _bad("snapshot", gettext("Mã ảnh chụp không hợp lệ; hãy dùng nguyên giá trị 'snapshot' do "
                                       "POST /api/v1/snapshots/ trả về.")) from exc
    as_of = parse_datetime(payload.get("as_of", "")) if isinstance(payload, dict) else None
    if as_of is None:
        raise _bad("snapshot", gettext("Mã ảnh chụp không hợp lệ."))
    return as_of


def _partition_numbers(params) -> tuple[int, int] | None:
    raw_k, raw_n = params.get("partition"), params.get("partitions")
    if raw_k is None and raw_n is None:
        return None
    if raw_k is None or raw_n is None:
        missing = "partitions" if raw_n is None else "partition"
        raise _bad(missing, gettext("partition và partitions phải đi cùng nhau."))
    # At most three digits before int(): Python refuses to convert strings of thousands of digits.
    if not (raw_n.isascii() and raw_n.isdigit() and len(raw_n) <= 3 and 1 <= int(raw_n) <= MAX_PARTITIONS):
        raise _bad("partitions", gettext("Phải là số nguyên từ 1 đến %(n)d.") % {"n": MAX_PARTITIONS})
    n = int(raw_n)
    if not (raw_k.isascii() and raw_k.isdigit() and len(raw_k) <= 3 and int(raw_k) < n):
        raise _bad("partition", gettext("Phải là số nguyên từ 0 đến partitions - 1 (%(max)d).") % {"max": n - 1})
    return int(raw_k), n


@dataclass(frozen=True)
class FeedWindow:
    """What a feed request asks for beyond its filters: rows stamped before `until` (a snapshot's as_of),
    and those of one partition."""

    until: dt.datetime | None
    partition: tuple[int, int] | None

    @classmethod
    def from_request(cls, request) -> FeedWindow:
        params = request.query_params
        token = params.get("snapshot")
        return cls(until=snapshot_as_of(token) if token else None, partition=_partition_numbers(params))

    def apply(self, queryset: QuerySet, *, stamp: str, school: str) -> QuerySet:
        """`stamp`: the row's time of change; `school`: the school id the partition is taken on."""
        if self.until is not None:
            queryset = queryset.filter(**{f"{stamp}__lt": self.until})
        if self.partition is not None:
            k, n = self.partition
            # A row without a school (none today) falls in partition 0.
            queryset = queryset.filter(Exact(Mod(Coalesce(F(school), Value(0), output_field=BigIntegerField()), n), k))
        return queryset


class SnapshotSerializer(serializers.Serializer):
    snapshot = serializers.CharField(source="token", help_text="gửi nguyên giá trị này trong ?snapshot= của mọi trang, mọi phân vùng")
    as_of = serializers.DateTimeField(help_text="thời điểm được ghim; lần đồng bộ sau dùng updated_since=<as_of>")
    expires_at = serializers.DateTimeField()


class SnapshotView(APIView):
    """POST /api/v1/snapshots/: any client that may read makes one (it writes nothing, it is a signed moment)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Tạo ảnh chụp để tải dữ liệu nhất quán (tải đầy đủ, đồng bộ tăng dần, song song)",
                   description=__doc__, request=None, responses={201: SnapshotSerializer})
    def post(self, request):
        if request.query_params:
            name = next(iter(request.query_params))
            raise AppError(gettext("Tham số không được hỗ trợ: %(names)s.") % {"names": name},
                           code="unknown_parameter", details={name: [gettext("Tham số không được hỗ trợ.")]})
        snapshot = snapshot_create()
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)
