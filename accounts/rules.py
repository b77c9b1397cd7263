"""Every permission of the portal, as django-rules predicates.

Object predicates take an Application (or an object with `.application`). Views ask
`user.has_perm("portal.<name>", obj)` or the predicates directly; querysets go through
accounts.scoping.
"""

import rules

from .enums import Role


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
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def _application(obj):
    return getattr(obj, "application", obj)


@rules.predicate
def can_see_application(user, obj):
    from .scoping import can_see_application as visible

    return obj is not None and visible(user, _application(obj))


@rules.predicate
def owns_application(user, obj):
    app = _application(obj)
    return obj is not None and is_applicant(user) and app.applicant_id == user.organisation_id


@rules.predicate
def application_editable(user, obj):
    return obj is not None and _application(obj).is_editable


@rules.predicate
def in_own_province(user, obj):
    return obj is not None and is_provincial(user) and _application(obj).province_id == user.organisation.province_id


# Role workspaces.
rules.add_perm("portal.applicant_workspace", is_applicant)
rules.add_perm("portal.provincial_workspace", is_provincial)
rules.add_perm("portal.national_workspace", is_national)
rules.add_perm("portal.expert_workspace", is_expert)
rules.add_perm("portal.admin_workspace", is_administrator)

# Applications.
rules.add_perm("portal.create_application", is_applicant)
rules.add_perm("portal.view_application", can_see_application)
rules.add_perm("portal.edit_application", owns_application & application_editable)
rules.add_perm("portal.view_evidence", can_see_application)
rules.add_perm("portal.review_provincially", in_own_province & can_see_application)
rules.add_perm("portal.review_nationally", is_national & can_see_application)
rules.add_perm("portal.see_expert_identities", is_national)
rules.add_perm("portal.manage_calls", is_national | is_administrator)

# Expert review (review/experts.py): panels, rubric, assignment, score overviews are national work.
rules.add_perm("portal.manage_expert_review", is_national)
