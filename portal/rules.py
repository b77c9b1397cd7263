"""Every permission of the portal, as django-rules predicates, in one module.

Permissions are named "portal.<name>" and asked by name everywhere (`user.has_perm(name, obj)`,
`RolePermissionMixin.permission_required`), so lower layers never import this module; it sits at
the top because its object predicates read every domain app. A user's role decides: Django's
superuser shortcut does not apply to these permissions (accounts.models.User.has_perm).

Object predicates take an Application, or an object with `.application` (a version, evidence).
"""

import rules

from accounts.enums import Role
from applications.queries import can_see_application as _visible
from documents.enums import DRAFT_KINDS
from zones import queries as zones


def _role(role, doc=""):
    """The predicate "this user acts in `role`" (never true for an anonymous user)."""

    def check(user):
        return user.is_authenticated and user.role == role

    check.__doc__ = doc
    return rules.predicate(check, name=f"is_{role}")


is_applicant = _role(Role.APPLICANT)
is_provincial = _role(Role.PROVINCIAL)
is_national = _role(Role.NATIONAL)
is_expert = _role(Role.EXPERT)
is_administrator = _role(Role.ADMIN, "系统管理员: accounts and organisations.")
is_security_administrator = _role(Role.SECURITY_ADMIN, "安全管理员: security policy, lockouts, sessions, MFA resets.")
is_audit_administrator = _role(Role.AUDIT_ADMIN, "审计管理员: reads and exports the audit trail; nothing else.")


def _application(obj):
    return getattr(obj, "application", obj)


@rules.predicate
def can_see_application(user, obj):
    return obj is not None and _visible(user, _application(obj))


@rules.predicate
def owns_application(user, obj):
    return obj is not None and is_applicant(user) and _application(obj).applicant_id == user.organisation_id


@rules.predicate
def application_editable(user, obj):
    return obj is not None and _application(obj).is_editable


@rules.predicate
def evidence_was_submitted(user, evidence):
    """Reviewers see only evidence that a submitted version refers to."""
    return evidence is not None and evidence.versions.exists()


@rules.predicate
def can_see_document(user, document):
    """A call's document (the score summary names experts) is national work; an application's
    document follows the application, except for experts: they score the 建设方案 shown on their
    scoring page and see no generated document (the provincial opinion, the 批复 …)."""
    if document is None:
        return False
    if document.is_export:
        # An export holds the list as its requester saw it: it is theirs alone.
        return user.is_authenticated and document.requested_by_id == user.pk
    if document.call_id:
        return is_national(user)
    if is_expert(user):  # experts read the plan they score on their assignment page, no document
        return False
    if document.kind in DRAFT_KINDS:  # a draft is the applicant's own working copy
        return owns_application(user, document.application)
    return _visible(user, document.application)


@rules.predicate
def own_assignment(user, assignment):
    return assignment is not None and is_expert(user) and assignment.expert_id == user.pk


# Zones after 批复 (zones/): an object predicate takes a zone or one of its reports, indicator sets,
# rectifications, files or acceptance rounds.
@rules.predicate
def can_see_zone(user, obj):
    return obj is not None and zones.can_see(user, obj)


@rules.predicate
def owns_zone(user, obj):
    zone = zones.zone_of(obj)
    return zone is not None and is_applicant(user) and zone.applicant_id == user.organisation_id


@rules.predicate
def zone_file_readable(user, item):
    """An expert reads the materials of a round assigned to them (queries.file_for); the city its own
    files; the province and the national office what was submitted, and the studies."""
    if item is None:
        return False
    if is_expert(user):
        return bool(item.acceptance_round_id)
    return zones.can_see(user, item) and (owns_zone(user, item) or zones.file_submitted(item))


# Role workspaces.
rules.add_perm("portal.applicant_workspace", is_applicant)
rules.add_perm("portal.provincial_workspace", is_provincial)
rules.add_perm("portal.national_workspace", is_national)
rules.add_perm("portal.expert_workspace", is_expert)
rules.add_perm("portal.admin_workspace", is_administrator)

# Applications.
rules.add_perm("portal.create_application", is_applicant)
# The application page shows what reviewers wrote (审核意见, the timeline): never to an expert, who
# judges the 建设方案 blind on the scoring page (review.experts) with the facts and evidence it needs.
rules.add_perm("portal.view_application", can_see_application & ~is_expert)
rules.add_perm("portal.own_application", owns_application)
rules.add_perm("portal.edit_application", owns_application & application_editable)
# Submitted evidence is what eligibility rests on: experts see it beside the plan they score.
rules.add_perm("portal.view_evidence", can_see_application & (owns_application | evidence_was_submitted))
rules.add_perm("portal.review_nationally", is_national & can_see_application)
rules.add_perm("portal.see_expert_identities", is_national)

rules.add_perm("portal.view_document", can_see_document)

# Calls and their rubric (the admin site), expert review (review/experts): national work.
rules.add_perm("portal.manage_calls", is_national)
rules.add_perm("portal.manage_expert_review", is_national)
rules.add_perm("portal.score_assignment", own_assignment)

# The audit trail and the security policy.
rules.add_perm("portal.read_audit_trail", is_audit_administrator)
rules.add_perm("portal.manage_security", is_security_administrator)

# Zones.
rules.add_perm("portal.view_zone_list", is_applicant | is_provincial | is_national)
rules.add_perm("portal.view_zone", can_see_zone)
rules.add_perm("portal.own_zone", owns_zone)
rules.add_perm("portal.supervise_zone", (is_national | is_provincial) & can_see_zone)
rules.add_perm("portal.upload_zone_study", is_national & can_see_zone)
rules.add_perm("portal.manage_acceptance", is_national & can_see_zone)
rules.add_perm("portal.view_zone_file", zone_file_readable)
rules.add_perm("portal.view_activities", is_applicant | is_provincial | is_national)
rules.add_perm("portal.publish_activity", is_national)

# The admin site (accounts/admin_access.py decides which pages): accounts and organisations are the
# 系统管理员's, the security policy the 安全管理员's, calls and rubric national staff's.
rules.add_perm("portal.use_admin_site", is_administrator | is_security_administrator | is_national)
rules.add_perm("portal.administer", is_administrator)
