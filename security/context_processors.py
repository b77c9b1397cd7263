from django.urls import reverse

from pagecache.tables import ignoring

from . import policy
from .queries import session_clock as clock


def session_clock(request):
    """What static/js/session.js needs on every signed-in page (base.html only, read outside the page
    cache's watch like the unread count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    with ignoring():
        current = getattr(request, "security_policy", None) or policy.current()
        state = clock(request, current)
    return {"session_clock": {"url": reverse("security:session_clock"), "seconds_left": state["seconds_left"],
                              "warning_seconds": state["warning_seconds"]}}
