"""Errors as RFC 9457 problem details (application/problem+json).

Every error of the API has the same shape: `type` (a URN naming the kind of problem), `title`,
`status`, `detail` (the message for the user, in the user's language) and `instance` (the path);
refusals and invalid input add `errors`: {input name: [messages]}, the same messages the pages show
beside their inputs. A domain refusal (workflow.errors.Refused) is 400, a stale state 409.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from workflow.errors import Refused
from workflow.machine import StaleStateError

CONTENT_TYPE = "application/problem+json"
PREFIX = "urn:problem:portal:"


class RefusedError(exceptions.APIException):
    """A domain refusal carried through DRF (message and field errors kept)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"

    def __init__(self, refusal: Refused):
        self.refusal = refusal
        super().__init__(refusal.message)
        if isinstance(refusal, StaleStateError):
            self.status_code = status.HTTP_409_CONFLICT
            self.default_code = "stale-state"


def _titles():
    return {
        400: _("请求有误"), 401: _("需要身份认证"), 403: _("无权执行"), 404: _("未找到"),
        405: _("不支持该请求方法"), 406: _("不支持的响应格式"), 409: _("状态已变化"), 415: _("不支持的请求格式"),
        429: _("请求过于频繁"),
    }


def _flatten(detail, prefix=""):
    """DRF's nested error detail as {field: [messages]}."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("__all__", "non_field_errors") else str(key)
            for sub, messages in _flatten(value, f"{prefix}{name}." if isinstance(value, dict) else "").items():
                out.setdefault(sub if isinstance(value, dict) else f"{prefix}{name}", []).extend(messages)
    elif isinstance(detail, list):
        for item in detail:
            if isinstance(item, dict | list):
                for key, messages in _flatten(item, prefix).items():
                    out.setdefault(key, []).extend(messages)
            else:
                out.setdefault(prefix.rstrip(".") or "non_field_errors", []).append(str(item))
    else:
        out.setdefault(prefix.rstrip(".") or "non_field_errors", []).append(str(detail))
    return out


def problem(status_code, detail, *, code="", errors=None, instance="", headers=None) -> Response:
    body = {
        "type": PREFIX + (code or "error"),
        "title": str(_titles().get(status_code, _("请求未完成"))),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)
    return response


def handler(exc, context):
    """DRF's exception handler hook: every error as a problem document."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, Refused):
        exc = RefusedError(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 (a bug, logged)
    errors = None
    if isinstance(exc, RefusedError):
        detail = exc.refusal.message
        errors = {name: [text] for name, text in exc.refusal.field_errors.items()} or None
        code = exc.default_code
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = _("请求的内容未通过检查，请按提示修改。")
        code = "validation"
    else:
        detail = exc.detail if not isinstance(exc.detail, dict | list) else _flatten(exc.detail)
        code = getattr(exc, "default_code", "error")
        if isinstance(exc.detail, exceptions.ErrorDetail):
            code = exc.detail.code or code
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return problem(response.status_code, detail if not isinstance(detail, dict) else _("请求有误。"),
                   code=str(code).replace("_", "-"), errors=errors, instance=instance, headers=headers)
