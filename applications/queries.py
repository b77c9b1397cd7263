"""Reads of calls and applications. Every list or object a page shows goes through
`applications_for(user)`: one scope function per role, so a province never meets another
province's rows, the national office sees only what provinces forwarded and experts only what is
assigned to them.

The expert scope is registered by the review app (`register_scope`), which owns assignments.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet, TextField
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import choices
from accounts.enums import Role

from .enums import CallStatus
from .models import Application, Call
from .sections import COMPLETENESS_PREFETCH

DISPLAY_RELATED = ("call", "province", "applicant")


def for_applicant(user, qs):
    return qs.filter(applicant_id=user.organisation_id)


def for_provincial(user, qs):
    # Visible once submitted (a version exists); a returned application stays visible, a draft never.
    province_id = user.organisation.province_id if user.organisation_id else None
    return qs.filter(province_id=province_id, current_version__gt=0)


def for_national(user, qs):
    # forwarded_at is written by the recommend transition and never cleared.
    return qs.filter(forwarded_at__isnull=False)


SCOPES: dict[str, Callable[[object, QuerySet], QuerySet]] = {
    Role.APPLICANT: for_applicant,
    Role.PROVINCIAL: for_provincial,
    Role.NATIONAL: for_national,
}


def register_scope(role: str, scope: Callable[[object, QuerySet], QuerySet]) -> None:
    """Another app adds the scope of a role whose access it owns (review: experts)."""
    SCOPES[role] = scope


def applications_for(user, qs: QuerySet | None = None) -> QuerySet:
    """The applications this user may see, joined for display; none for an unknown role."""
    qs = Application.objects.select_related(*DISPLAY_RELATED) if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    scope = SCOPES.get(user.role)
    return scope(user, qs) if scope else qs.none()


def call_choices() -> list[tuple[str, str]]:
    """Every call, newest first, for the queues' filter forms (cached; see accounts.choices)."""
    return choices.cached("calls", lambda: [(c.pk, str(c)) for c in Call.objects.all()], Call._meta.db_table)


def can_see_application(user, application) -> bool:
    if getattr(application, "_scoped_for", None) == (user.pk, user.role):
        return True  # read through this user's scope moments ago (visible_application)
    return applications_for(user, Application.objects.filter(pk=application.pk)).exists()


# The application's long texts (the plan and its justifications): a reviewer's page shows them from the
# submitted version, so reading it need not carry them.
LONG_TEXTS = tuple(f.name for f in Application._meta.fields if isinstance(f, TextField))


def visible_application(user, pk, *, without_texts=False) -> Application:
    """The application if this user may see it, else 404. It is marked as read through the user's
    scope, so that the rules' visibility check on it needs no second query. `without_texts`: the long
    texts are deferred (read on first use)."""
    qs = applications_for(user).prefetch_related("call__province_deadlines")
    if without_texts:
        qs = qs.defer(*LONG_TEXTS)
    application = get_object_or_404(qs, pk=pk)
    application._scoped_for = (user.pk, user.role)
    return application


def own_application(user, pk) -> Application:
    """The application if it belongs to the user's organisation, else 404 (never 403: others must
    not learn that it exists)."""
    application = visible_application(user, pk)
    if not user.has_perm("portal.own_application", application):
        raise Http404
    return application


def applicant_workspace(user) -> QuerySet:
    """The applicant's own applications with what the completeness badges read."""
    return applications_for(user).prefetch_related("call__province_deadlines", *COMPLETENESS_PREFETCH)


def open_calls_for(organisation) -> list[Call]:
    """Calls this organisation may still apply to: open, deadline not passed, not yet applied."""
    if organisation is None:
        return []
    now = timezone.now()
    calls = (Call.objects.filter(status=CallStatus.OPEN, opens_on__lte=timezone.localdate())
             .exclude(applications__applicant=organisation).prefetch_related("province_deadlines"))
    return [c for c in calls if c.deadline_for(organisation.province) >= now]
