from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .context import current_request
from .services import REFUSED, record

DENIED = "access.denied"


def _view_name(view_func) -> str:
    view = getattr(view_func, "view_class", view_func)
    return f"{getattr(view, '__module__', '')}.{getattr(view, '__qualname__', getattr(view, '__name__', ''))}"


class RequestContextMiddleware:
    """Makes the current request known to audit.services.record() for the duration of the request, and
    records every permission denial (a 403 answer, whoever produced it: a view's permission check, the
    CSRF check, the admin). The 404s that scoping answers for objects outside a user's scope are not
    denials of a known object and are not recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                self._record_denial(request)
            return response
        finally:
            current_request.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.audit_view = view_func
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.audit_denial_reason = str(exception)
        return None

    def _record_denial(self, request):
        view = getattr(request, "audit_view", None)
        details = {"method": request.method, "path": request.path[:500]}
        reason = getattr(request, "audit_denial_reason", "")
        if view is not None:
            details["view"] = _view_name(view)
            permissions = getattr(getattr(view, "view_class", None), "permission_required", None)
            if permissions and not reason:
                names = [permissions] if isinstance(permissions, str) else list(permissions)
                reason = gettext("缺少权限：%(permission)s") % {"permission": "、".join(names)}
        record(DENIED, result=REFUSED, reason=reason or gettext("拒绝访问（HTTP 403）"), details=details)
