"""The security policy in force: the row the 安全管理员 keeps (SecurityPolicy), or the settings'
defaults while there is none. Read it through `current()`.

Every signed-in request reads it, so the row's values are kept in the cache (Redis in production, shared
by every process) and dropped whenever the row is saved or deleted (security.signals), again once the
transaction commits; a change takes effect on the next request. The cache holds only the row's values
(or that there is none), never the settings' defaults, which each process reads itself."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.enums import Role

from .models import SecurityPolicy

# Roles that must sign in with a second factor (applicants only when the policy says so).
SECOND_FACTOR_ROLES = frozenset({Role.NATIONAL, Role.PROVINCIAL, Role.EXPERT, Role.ADMIN, Role.SECURITY_ADMIN,
                                 Role.AUDIT_ADMIN})


@dataclass(frozen=True)
class Policy:
    password_min_length: int
    password_min_classes: int
    password_history: int
    password_max_age_days: int
    session_idle_minutes: int
    session_absolute_hours: int
    lockout_failures: int
    lockout_ip_failures: int
    lockout_minutes: int
    mfa_for_applicants: bool

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def password_max_age(self) -> timedelta | None:
        return timedelta(days=self.password_max_age_days) if self.password_max_age_days else None


NAMES = [f.name for f in fields(Policy)]


def defaults() -> Policy:
    return Policy(**{name: getattr(settings, "SECURITY_" + name.upper()) for name in NAMES})


CACHE_KEY = "security:policy:v1"
CACHE_SECONDS = 300  # a backstop only: every change to the row drops the entry
_NO_ROW = "none"


def current() -> Policy:
    cached = cache.get(CACHE_KEY)
    if cached is None:
        row = SecurityPolicy.objects.order_by("pk").first()
        cached = _NO_ROW if row is None else {name: getattr(row, name) for name in NAMES}
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    if cached == _NO_ROW:
        return defaults()
    return Policy(**cached)


def forget() -> None:
    """Drop the cached row now and again when the transaction commits (a request that read the old row
    in between must not keep it)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def second_factor_required(user, policy: Policy | None = None) -> bool:
    """National staff, provincial reviewers, experts, the three administrators and any superuser;
    applicants when the policy says so. (Anyone who enrolled a device is asked for it too: see
    security.services.needs_second_factor.)"""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in SECOND_FACTOR_ROLES:
        return True
    if user.role == Role.APPLICANT:
        return (policy or current()).mfa_for_applicants
    return False
