"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status

from edu_portal.common.exceptions import AppError, validation_error_to_app_error

# In the request's language (the language cookie, or an API client's Accept-Language).
MESSAGES = {
    400: _("Yêu cầu không hợp lệ."),
    401: _("Cần xác thực: gửi tiêu đề 'Authorization: Token' kèm mã truy cập."),
    403: _("Bạn không có quyền thực hiện thao tác này."),
    404: _("Không tìm thấy."),
    405: _("Phương thức không được hỗ trợ."),
    406: _("Định dạng yêu cầu không được hỗ trợ."),
    415: _("Kiểu nội dung không được hỗ trợ."),
    429: _("Quá nhiều yêu cầu; hãy thử lại sau."),
}
CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 415: "unsupported_media_type", 429: "throttled"}


def error_body(status_code: int, *, message: str | None = None, code: str | None = None,
               details=None) -> dict:
    return {"error": {"code": code or CODES.get(status_code, "error"),
                      "message": str(message or MESSAGES.get(status_code, _("Lỗi."))),
                      "details": details if details is not None else {}}}


def _details(detail):
    """DRF error details as plain JSON: a dict of field -> [messages], or {"__all__": [...]}."""
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] if not isinstance(v, dict)
                else _details(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return {"__all__": [str(m) for m in detail]}
    return {}


def _first_message(details: dict) -> str:
    """'page_size: Tối đa 1000.': the first field error, for people reading logs."""
    for field, messages in details.items():
        if isinstance(messages, dict):
            return f"{field}." + _first_message(messages)
        if messages:
            return messages[0] if field == "__all__" else f"{field}: {messages[0]}"
    return MESSAGES[400]


def api_exception_handler(exc, context):
    if isinstance(exc, AppError):
        return _json(exc.as_dict(), exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return _json(validation_error_to_app_error(exc).as_dict(), 400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        details = _details(exc.detail)
        body = error_body(400, message=_first_message(details), details=details)
    elif isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(int(exc.wait or 1))
        body = error_body(429, details={"retry_after": int(exc.wait or 1)})
    elif isinstance(exc, exceptions.NotAuthenticated):
        body = error_body(401)
    elif isinstance(exc, exceptions.AuthenticationFailed):
        body = error_body(401, message=str(exc.detail), code="authentication_failed")
    elif isinstance(exc, (exceptions.NotFound, exceptions.MethodNotAllowed, exceptions.PermissionDenied)) \
            and code in MESSAGES:
        detail = str(exc.detail)
        generic = detail in ("Not found.", "You do not have permission to perform this action.") \
            or detail.startswith("Method ")
        body = error_body(code, message=None if generic else detail)
    else:
        detail = exc.detail
        body = error_body(code, message=str(detail) if isinstance(detail, str) else None,
                          code=getattr(detail, "code", None) if code not in CODES else None,
                          details=_details(detail) if not isinstance(detail, str) else {})
    if code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Token realm="api"'
    return _json(body, code, headers)


def _json(body: dict, status_code: int, headers: dict | None = None) -> JsonResponse:
    """Errors are JSON whatever format was asked for (?format=csv included): a plain Django
    response, so DRF does not hand it to the negotiated renderer."""
    response = JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@csrf_exempt  # answers every method with 404; a CSRF refusal would hide that behind an HTML 403
def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/v1/ answer in the API's error shape, not with an HTML page."""
    return JsonResponse(error_body(404, message="Không có địa chỉ API này; xem /api/v1/docs/."), status=404,
                        json_dumps_params={"ensure_ascii": False})
