"""Reads for the security pages."""

import time
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditRecord

from . import policy as policy_module
from .models import KeptForm, UserSession
from .session_keys import LAST_ACTIVITY, STARTED


def kept_forms(user):
    since = timezone.now() - timedelta(hours=settings.KEPT_FORM_HOURS)
    return KeptForm.objects.filter(user=user, created_at__gte=since)


def latest_kept_form(user):
    return kept_forms(user).first() if user.is_authenticated else None


def kept_form(user, pk) -> KeptForm:
    return get_object_or_404(kept_forms(user), pk=pk)


def kept_fields(kept: KeptForm) -> list[tuple[str, str]]:
    """What the user typed, for the page that offers it again: text, not the page's own markers
    (hidden "_…" inputs, button values, empty fields). Everything is resubmitted all the same."""
    return [(name, value) for name, value in kept.data
            if not name.startswith("_") and len(str(value).strip()) > 1]


def session_clock(request, current) -> dict:
    now = time.time()
    started = request.session.get(STARTED, now)
    last = request.session.get(LAST_ACTIVITY, now)
    idle_left = current.idle.total_seconds() - (now - last)
    absolute_left = current.absolute.total_seconds() - (now - started)
    return {"signed_in": True, "idle_seconds_left": max(0, int(idle_left)),
            "absolute_seconds_left": max(0, int(absolute_left)),
            "seconds_left": max(0, int(min(idle_left, absolute_left))),
            "warning_seconds": settings.SESSION_WARNING_SECONDS}


def locked_usernames(current) -> list[dict]:
    since = timezone.now() - timedelta(minutes=current.lockout_minutes)
    rows = (AccessAttempt.objects.filter(attempt_time__gte=since).exclude(username__isnull=True)
            .values("username").annotate(failures=Sum("failures_since_start")).order_by("username"))
    return [row for row in rows if row["failures"] >= current.lockout_failures]


def security_overview(current) -> dict:
    User = get_user_model()
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    without = (User.objects.filter(is_active=True, role__in=policy_module.SECOND_FACTOR_ROLES).annotate(enrolled=Exists(enrolled))
               .filter(enrolled=False).order_by("role", "username"))
    return {
        "policy": current,
        "locked": locked_usernames(current),
        "live_sessions": UserSession.objects.filter(ended_at__isnull=True).select_related("user")
        .order_by("-last_activity")[:50],
        "without_second_factor": without[:50],
        "without_second_factor_count": without.count(),
    }


def recent_authentication_records(limit=100) -> list:
    records = list((AuditRecord.objects.filter(action__startswith="auth.") | AuditRecord.objects.filter(
        action__startswith="security.")).order_by("-created_at", "-pk")[:limit])
    for record in records:  # a failed login names the username tried, not an actor
        record.who = record.actor_username or (record.details or {}).get("username", "")
    return records
