"""The security policy in force: the row the 安全管理员 keeps (SecurityPolicy), or the settings'
defaults while there is none. Read it through `current()`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings

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


def current() -> Policy:
    row = SecurityPolicy.objects.order_by("pk").first()
    if row is None:
        return defaults()
    return Policy(**{name: getattr(row, name) for name in NAMES})


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
