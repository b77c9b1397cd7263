"""`{% application_panel application %}`: the pipeline actions this user may take and the timeline;
`{{ value|plain }}`: a Decimal as people write it (85, 20.5; never 85.0000)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from applications.enums import ApplicationState as S

from ..experts.aggregation import submitted_score_count
from ..forms import TransitionForm, take_refused
from ..models import TransitionLog
from ..transitions import available

register = template.Library()

EXPERT_MASK = _("评审专家")
# Every field of a log entry, and of its actor and organisation only what a row shows (not whole user rows).
TIMELINE_FIELDS = (*(f.name for f in TransitionLog._meta.concrete_fields), "actor__username", "actor__display_name",
                   "actor_organisation__name", "actor_organisation__name_en")
# Applicant actions that have their own page (what still stops submission is shown there first).
APPLICANT_PAGES = {"submit": "review:submit", "resubmit": "review:submit"}


def timeline(application, viewer):
    """Log entries as rows for display; experts' identities only for those allowed to see them."""
    see_experts = viewer.has_perm("portal.see_expert_identities")
    rows = []
    for entry in application.log.select_related("actor", "actor_organisation").only(*TIMELINE_FIELDS):
        masked = entry.actor_role == Role.EXPERT and not see_experts
        rows.append({
            "entry": entry,
            "actor": EXPERT_MASK if masked else str(entry.actor),
            "organisation": "" if masked else (str(entry.actor_organisation) if entry.actor_organisation else ""),
            "role": Role(entry.actor_role).label if entry.actor_role in Role.values else entry.actor_role,
        })
    return rows


@register.filter
def plain(value):
    """A number without trailing zeros: Decimal("85.0000") → "85", Decimal("20.50") → "20.5"."""
    if value is None or value == "":
        return value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return value
    return format(number.normalize(), "f")


def _applicant_page(name, application):
    target = APPLICANT_PAGES.get(name)
    return reverse(target, args=[application.pk]) if target else None


@register.inclusion_tag("review/_panel.html", takes_context=True)
def application_panel(context, application, next_page=""):
    request = context["request"]
    user = request.user
    bound = context.get("transition_forms") or take_refused(request.session, application, user)
    actions = []
    # The application reached this page through accounts.scoping, so it is visible to the user.
    for transition in available(application, user, visible=True):
        page = _applicant_page(transition.name, application)
        form = bound.get(transition.name) or TransitionForm(transition, application, user=user)
        actions.append({"transition": transition, "form": form, "page": page,
                        "open": transition.name in bound})
    panel = {
        "request": request, "user": user, "application": application, "actions": actions,
        "timeline": timeline(application, user), "next_page": next_page,
        "unsent_opinion": context.get("unsent_opinion", ""),
        "is_national": user.role == Role.NATIONAL,
    }
    if panel["is_national"] and application.state == S.EXPERT_REVIEW:
        panel["scores"] = {"have": submitted_score_count(application), "needed": application.call.min_scores}
    if panel["is_national"] and application.state == S.NATIONAL_REVIEW:
        panel["formal_review_url"] = reverse("review:formal_review", args=[application.pk])
    panel["csrf_token"] = context.get("csrf_token")
    return panel
