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


@rules.predicate
def is_applicant(user):
    return user.is_authenticated and user.role == Role.APPLICANT


@rules.predicate
def is_provincial(user):
    return user.is_authenticated and user.role == Role.PROVINCIAL


@rules.predicate
def is_national(user):
    return user.is_authenticated and user.role == Role.NATIONAL


@rules.predicate
def is_expert(user):
    return user.is_authenticated and user.role == Role.EXPERT


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and user.role == Role.ADMIN


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
    document follows the application."""
    if document is None:
        return False
    if document.call_id:
        return is_national(user)
    if document.kind in DRAFT_KINDS:  # a draft is the applicant's own working copy
        return owns_application(user, document.application)
    return _visible(user, document.application)


@rules.predicate
def own_assignment(user, assignment):
    return assignment is not None and is_expert(user) and assignment.expert_id == user.pk


# Role workspaces.
rules.add_perm("portal.applicant_workspace", is_applicant)
rules.add_perm("portal.provincial_workspace", is_provincial)
rules.add_perm("portal.national_workspace", is_national)
rules.add_perm("portal.expert_workspace", is_expert)
rules.add_perm("portal.admin_workspace", is_administrator)

# Applications.
rules.add_perm("portal.create_application", is_applicant)
rules.add_perm("portal.view_application", can_see_application)
rules.add_perm("portal.own_application", owns_application)
rules.add_perm("portal.edit_application", owns_application & application_editable)
rules.add_perm("portal.view_evidence", can_see_application & (owns_application | evidence_was_submitted))
rules.add_perm("portal.review_nationally", is_national & can_see_application)
rules.add_perm("portal.see_expert_identities", is_national)

rules.add_perm("portal.view_document", can_see_document)

# Calls and their rubric (the admin site), expert review (review/experts): national work.
rules.add_perm("portal.manage_calls", is_national | is_administrator)
rules.add_perm("portal.manage_expert_review", is_national)
rules.add_perm("portal.score_assignment", own_assignment)

# The admin site: accounts and organisations are the administrators'.
rules.add_perm("portal.use_admin_site", is_administrator | is_national)
rules.add_perm("portal.administer", is_administrator)
