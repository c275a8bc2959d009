"""API pieces shared by /api/v1/transfers/ (students) and /api/v1/staff-reassignments/ (teachers): the
two moves between schools show the other side the same things and answer release/decline/cancel alike.
What the receiving side sees of the person is only what identifies them (name, date of birth), never
the ID number or the rest of the record."""
from django.utils.translation import gettext
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.exceptions import AppError, NotInScope

from .base import ReadOnlyUnlessWriteToken, check_query_params, request_scope

LIST_LIMIT = 1000  # a school's or a province's open requests are few; the newest first


class MoveSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.CharField(source="province_id")


class MovePersonSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()


def receiving_school_field() -> serializers.IntegerField:
    """The create body's `school`: the receiving school, by default the token's own."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                    help_text="id của trường tiếp nhận; mặc định trường của mã truy cập")


def receiving_school_pk(scope, pk: int | None) -> int:
    """The receiving school's id: the one asked for, else the token's school (a province's or the
    ministry's token must name it). The caller checks it may write there (schools.api.lookups)."""
    if pk is None:
        if scope.school_id is None or scope.kind != "school":
            raise AppError(gettext("school: Nhập trường tiếp nhận."), details={"school": ["Bắt buộc với mã cấp Sở, Bộ."]})
        pk = scope.school_id
    return pk


class MoveDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def request_pk(pk: int) -> int:
    """A path id past bigint is no request of anyone's: not found rather than a database error."""
    if pk >= 2**63:
        raise NotInScope()
    return pk


# An answer to one request (release/, decline/, cancel/): check, call the service, answer with the
# request as it now stands. A subclass names the service (`act`), how to read the request back
# (`answer`) and, if the answer carries a body, its serializer; its schema goes on the class with
# `extend_schema_view(post=...)`. A comment, not a docstring: drf-spectacular would publish a docstring
# as every answer operation's description.
class MoveAnswerView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]
    body_serializer: type[serializers.Serializer] | None = None

    def act(self, *, scope, user, pk: int, **body):
        raise NotImplementedError

    def answer(self, *, scope, pk: int) -> Response:
        raise NotImplementedError

    def post(self, request, pk: int):
        check_query_params(request, set())
        scope = request_scope(request)
        body = {}
        if self.body_serializer is not None:
            serializer = self.body_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            body = serializer.validated_data
        moved = self.act(scope=scope, user=request.user, pk=request_pk(pk), **body)
        return self.answer(scope=scope, pk=moved.pk)
