"""Reads of the expert review: an expert's own assignments, the call's panel and loads, the pages'
tables. Nothing here hands one expert's score or name to another expert."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import get_language

from accounts.enums import Role
from accounts.models import ExpertProfile
from applications.enums import ApplicationState
from applications.models import Application, ApplicationVersion, Call
from applications.presentation import evidence_rows, policy_rows
from applications.sections import SECTION_BY_KEY
from applications.states import EXPERT_REVIEWED, in_queue

from ..enums import AssignmentStatus
from ..models import Criterion, ExpertAssignment, Score, ScoreReopening

# An assignment "counts" (towards load and towards the application's experts) while it is live.
ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)


# Other apps put their own review work in the expert's workspace (zones: acceptance reviews):
# (template, function(user) -> the user's live assignments), rendered after the application ones.
WORKSPACE_SECTIONS: list[tuple[str, object]] = []


def register_workspace_section(template: str, assignments) -> None:
    """A higher app adds a section to /expert/ (called from its AppConfig.ready())."""
    if (template, assignments) not in WORKSPACE_SECTIONS:
        WORKSPACE_SECTIONS.append((template, assignments))


def workspace_sections(user) -> list[dict]:
    return [{"template": template, "assignments": list(assignments(user))}
            for template, assignments in WORKSPACE_SECTIONS]


def expert_applications(user, qs):
    """The applications scope of an expert (registered with applications.queries): what is assigned."""
    return qs.filter(assignments__expert=user, assignments__status__in=ACTIVE).distinct()


def assignments_for_expert(expert):
    """The expert's own live assignments (never anyone else's)."""
    return (ExpertAssignment.objects.filter(expert=expert, status__in=ACTIVE)
            .select_related("application", "application__call", "application__province", "application__applicant",
                            "score")
            .order_by("deadline", "pk"))


# What the expert's list and an assignment's first page show (review/experts/tables.py,
# review/experts/assignment.html): the application's wide rows (its plan texts) are not read there.
SUMMARY_FIELDS = ("id", "status", "deadline", "opened_at", "expert_id", "application__id",
                  "application__zone_name", "application__city", "application__industry_name",
                  "application__applicant__id", "application__applicant__name", "application__applicant__name_en",
                  "application__province__id", "application__province__name", "application__province__name_en",
                  "application__call__id", "application__call__title", "application__call__title_en",
                  "score__id", "score__submitted_at")


def assignment_summaries_for_expert(expert):
    """assignments_for_expert with only the fields the list and the assignment page show."""
    return assignments_for_expert(expert).only(*SUMMARY_FIELDS)


def panel_experts(call):
    """Users on the call's panel with an active expert profile."""
    User = get_user_model()
    return (User.objects.filter(panels__call=call, role=Role.EXPERT, is_active=True, expert_profile__active=True)
            .select_related("organisation", "expert_profile", "expert_profile__home_province").order_by("pk"))


def selectable_experts():
    """Every active expert with a profile: the candidates for a call's panel."""
    User = get_user_model()
    return (User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=False)
            .select_related("organisation", "expert_profile__home_province").order_by("pk"))


def loads(call) -> dict[int, int]:
    """Live assignments per panel expert in this call (0 for those with none)."""
    counts = dict(
        ExpertAssignment.objects.filter(application__call=call, status__in=ACTIVE)
        .values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n")
    )
    return {e.pk: counts.get(e.pk, 0) for e in panel_experts(call)}


def busy_experts(call, keep=()):
    """Experts with live assignments in the call, other than those in `keep`."""
    return (ExpertAssignment.objects.filter(application__call=call, status__in=ACTIVE).exclude(expert__in=keep)
            .select_related("expert"))


def criteria(call):
    return Criterion.objects.filter(call=call)


def rubric_locked(call) -> bool:
    """Criteria and the minimum number of scores are fixed once any expert put a value against them."""
    return Call.objects.filter(pk=call.pk, scoring_started_at__isnull=False).exists()


def calls_overview():
    """Every call with the state of its expert review."""
    in_review = Q(applications__state=ApplicationState.EXPERT_REVIEW)
    return Call.objects.annotate(
        in_review=Count("applications", filter=in_review, distinct=True),
        panel_size=Count("panel", distinct=True),
        criteria_count=Count("criteria", distinct=True),
    ).order_by("-opens_on")


def expert_profiles():
    return (ExpertProfile.objects.select_related("user", "user__organisation", "home_province")
            .annotate(live=Count("user__assignments", filter=Q(user__assignments__status__in=ACTIVE)))
            .order_by("home_province__code", "user__display_name"))


def in_expert_review(call):
    return (call.applications.filter(state=ApplicationState.EXPERT_REVIEW)
            .select_related("applicant", "province").order_by("pk"))


def assignment_rows(call):
    """Each application in 专家论证 with its assignments (all statuses) and how many are live."""
    applications = list(in_expert_review(call))
    rows = {a.pk: [] for a in applications}
    for a in (ExpertAssignment.objects.filter(application__in=applications)
              .select_related("expert", "expert__organisation", "expert__expert_profile__home_province", "score")
              .order_by("pk")):
        rows[a.application_id].append(a)
    return [(a, rows[a.pk], sum(1 for x in rows[a.pk] if x.status in ACTIVE)) for a in applications]


def call_assignment(call, pk):
    return ExpertAssignment.objects.filter(pk=pk, application__call=call).first()


def own_score(assignment):
    return Score.objects.filter(assignment=assignment).prefetch_related("items").first()


def application_score(application, pk):
    return Score.objects.filter(pk=pk, assignment__application=application).first()


def reopenings(application):
    return (ScoreReopening.objects.filter(score__assignment__application=application)
            .select_related("reopened_by", "score__assignment__expert").order_by("-reopened_at"))


def pending_assignments(application):
    return ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.ASSIGNED).select_related(
        "expert")


def reviewed_applications(call):
    """The call's applications that are or were in expert review."""
    return (Application.objects.filter(call=call, state__in=in_queue(EXPERT_REVIEWED))
            .select_related("call", "province", "applicant").order_by("pk"))


def plan_for_scoring(application):
    """What the expert judges, from the current submitted version's frozen snapshot: the 建设方案,
    the facts the eligibility rests on and the evidence submitted for them. Nothing a reviewer wrote
    (provincial opinions, the national checklist, the timeline) is part of it."""
    version = (ApplicationVersion.objects.filter(application=application, number=application.current_version)
               .first())
    snapshot = version.snapshot if version else {}
    fields = application._meta
    plan = [(fields.get_field(f).verbose_name, snapshot.get(f) or "") for f in SECTION_BY_KEY["plan"].fields]
    basics = [(fields.get_field(f).verbose_name, snapshot.get(f)) for f in (
        "zone_name", "city", "host_park", "zone_area_km2", "industry_name", "management_agency_name", "figures_year",
        "gross_output", "resident_enterprises", "patents_per_10k", "industry_patents", "rd_spending",
        "patented_sales", "service_agency_name", "service_agency_staff")]
    lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
    eligibility = [
        {"title": r.get(f"title_{lang}", ""), "message": r.get(f"message_{lang}", ""), "status": r.get("status"),
         "figure": r.get("figure"), "threshold": r.get("threshold"), "kind": r.get("kind")}
        for r in (version.eligibility if version else [])
    ]
    return {"version": version, "snapshot": snapshot, "plan_sections": plan, "basics": basics,
            "plan_years": snapshot.get("plan_years", []), "funding": snapshot.get("funding", []),
            "policies": policy_rows(snapshot), "evidence": evidence_rows(snapshot), "eligibility": eligibility}
