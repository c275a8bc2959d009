"""OpenAPI: the token security scheme, and the one error shape documented on every operation."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "details": {"type": "object", "additionalProperties": True}},
    }},
}
ERROR_RESPONSES = {
    "400": "Tham số hoặc dữ liệu không hợp lệ (details: lỗi theo từng trường)",
    "401": "Thiếu hoặc sai mã truy cập",
    "403": "Mã truy cập không có quyền này (ví dụ: mã chỉ đọc)",
    "404": "Không tìm thấy trong phạm vi của mã truy cập",
    "405": "Phương thức không được hỗ trợ",
    "406": "Định dạng không được hỗ trợ",
    "409": "Xung đột với dữ liệu hiện có",
    "415": "Kiểu nội dung không được hỗ trợ",
    "429": "Quá nhiều yêu cầu (xem Retry-After)",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Gửi `Token <mã truy cập>`; mã do Bộ cấp (trang Mã truy cập API hoặc lệnh "
                               "create_api_token)."}


RECORD_PATHS = ("/api/v1/schools/", "/api/v1/staff/", "/api/v1/students/", "/api/v1/facilities/")


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the error shape for each 4xx it may answer;
    the record endpoints refuse empty query parameters, which the schema says (minLength)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete", "head", "options"):
                continue
            if path.startswith(RECORD_PATHS):
                for parameter in operation.get("parameters", []):
                    schema = parameter.get("schema", {})
                    if parameter.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
                        schema.setdefault("minLength", 1)
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": ref}}})
                if code == "429":
                    responses[code].setdefault("headers", {"Retry-After": {
                        "schema": {"type": "integer"}, "description": "Số giây cần chờ"}})
    return result
