"""OpenAPI schema helpers (drf-spectacular): the bearer-token scheme, the RFC 9457 problem document
and the error responses every operation may give, and bilingual summaries."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details / 问题详情",
    "properties": {
        "type": {"type": "string", "description": "URN of the kind of problem, e.g. urn:problem:portal:refused"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Message for the user (in the user's language) / 提示信息"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input, as the pages show them / 各输入项的提示",
        },
    },
    "required": ["type", "title", "status", "detail"],
}

ERRORS = {
    "400": "输入有误或被业务规则拒绝（errors 列出各输入项的提示）/ Invalid input or refused by a rule (errors per input)",
    "401": "未认证：缺少或无效的令牌 / Not authenticated: missing or invalid token",
    "403": "角色无权执行，或令牌为只读 / The role may not do this, or the token is read-only",
    "404": "不存在或不在您的可见范围内 / Not found, or outside what you may see",
    "405": "不支持该请求方法 / Method not allowed",
    "406": "不支持的响应格式 / Not acceptable",
    "409": "状态已被他人改变 / The state changed meanwhile",
    "415": "不支持的请求格式 / Unsupported media type",
    "429": "请求过于频繁 / Too many requests",
}
SAFE_ERRORS = ("401", "403", "404", "405", "406", "429", "400")


def summary(zh: str, en: str) -> str:
    return f"{zh} / {en}"


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pt_<prefix>_<secret>",
                "description": "个人接口令牌（在“接口令牌”页面创建）/ Personal API token (created on the API tokens page)"}


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook: the problem schema, and every error status on every operation."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            codes = ERRORS if method in ("post", "put", "patch", "delete") else {k: ERRORS[k] for k in SAFE_ERRORS}
            for code, text in codes.items():
                responses.setdefault(code, {"description": text, "content": {"application/problem+json": {"schema": ref}}})
    return result
