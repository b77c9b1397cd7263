"""The login lockout (django-axes), by account first.

Failed logins are counted per username and, separately, per client address (audit.client: the
address a trusted proxy reports). An account is locked after `lockout_failures` failures; an address
only after `lockout_ip_failures`, a much higher number, so that many users behind one proxy or NAT
never lock each other out while a password-guessing address still does. A successful login clears
that account's failures only (an attacker cannot reset the address count by signing in to an own
account).
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.db.models import Sum

from . import policy


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the account limit (the address limit is folded in by get_failures)."""
    return policy.current().lockout_failures


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME."""
    return timedelta(minutes=policy.current().lockout_minutes)


def _sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountFirstHandler(AxesDatabaseHandler):
    """Axes compares one number with one limit; this handler answers with the account's failures, or
    with the account limit itself once the address has reached its own, higher limit."""

    def get_failures(self, request, credentials=None) -> int:
        current = policy.current()
        username = get_client_username(request, credentials)
        since = request.axes_attempt_time - cool_off(request) if request.axes_attempt_time else None
        recent = AccessAttempt.objects.all()
        if since is not None:
            recent = recent.filter(attempt_time__gte=since)
        by_account = _sum(recent.filter(username=username)) if username else 0
        by_address = _sum(recent.filter(ip_address=request.axes_ip_address)) if request.axes_ip_address else 0
        if by_address >= current.lockout_ip_failures:
            return max(by_account, current.lockout_failures)
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def is_locked(self, request, credentials=None) -> bool:
        locked = super().is_locked(request, credentials)
        # Remembered so that the audit trail tells a refused attempt during a lockout from the one
        # that starts it (security.signals).
        request.security_locked_before_attempt = locked
        return locked
