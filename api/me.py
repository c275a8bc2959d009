"""GET /api/v1/me/: what the calling token may do (its scope, rights and profile), so that a client system (and the
conformance kit) learns which parts of the API and which fields of the records it may read and write."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import check_query_params

from .profiles import ALL, RECORDS, record_fields, resources


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Mã truy cập đang dùng: phạm vi, quyền và hồ sơ truy cập", responses={200: dict})
    def get(self, request):
        check_query_params(request, set())
        token = request.auth if hasattr(request.auth, "scope") else None
        if token is None:  # a browser session: the user's own rights, no profile
            return Response({"token": None, "user": request.user.username, "profile": None})
        profile = token.profile
        reach = {}
        for resource in resources():
            rule = profile.rules.get(resource) if profile else {"read": ALL, "write": ALL}
            if rule is None:
                continue
            entry = {"read": True, "write": bool(token.can_write and rule.get("write"))}
            if resource in RECORDS:
                readable, writable, keys = record_fields(resource)
                read = readable if rule.get("read") == ALL else set(rule.get("read", [])) | set(keys)
                write = writable if rule.get("write") == ALL else set(rule.get("write", []))
                entry["fields"] = {"read": sorted(read & readable | set(keys)),
                                   "write": sorted(write) if entry["write"] else []}
            reach[resource] = entry
        scope = token.scope()
        return Response({"token": {"name": token.name, "prefix": token.key_prefix, "scope": token.scope_label(),
                                   "can_write": token.can_write, "can_view_id_numbers": scope.can_view_id_numbers},
                         "profile": profile.name if profile else None, "resources": reach})
