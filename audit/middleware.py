from django.core.exceptions import PermissionDenied

from .context import current_request
from .services import REFUSED, record

DENIED = "access.denied"


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
                record(DENIED, result=REFUSED, reason=getattr(request, "audit_denial_reason", "") or "HTTP 403",
                       details={"method": request.method, "path": request.path[:500]})
            return response
        finally:
            current_request.reset(token)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.audit_denial_reason = str(exception) or "PermissionDenied"
        return None
