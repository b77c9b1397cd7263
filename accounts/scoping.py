"""One scoping function per role: the only way views obtain applications.

A province never meets another province's rows; national staff see what provinces forwarded;
experts see only what is assigned to them.
"""

from applications.enums import ApplicationState as S
from applications.models import Application

from .enums import Role

# States a province's queue never shows (its status filter leaves them out).
PROVINCE_HIDDEN = {S.DRAFT}
# States an application forwarded by a province can be in (the national status filter).
NATIONAL_VISIBLE = {S.RECOMMENDED, S.NATIONAL_REVIEW, S.RETURNED_TO_PROVINCE, S.REJECTED, S.EXPERT_REVIEW,
                    S.APPROVED, S.NOT_APPROVED}


def for_applicant(user, qs):
    return qs.filter(applicant_id=user.organisation_id)


def for_provincial(user, qs):
    # Visible once submitted (a version exists); a returned application stays visible, a draft never.
    province_id = user.organisation.province_id if user.organisation_id else None
    return qs.filter(province_id=province_id, current_version__gt=0)


def for_national(user, qs):
    # forwarded_at is written by the recommend transition and never cleared.
    return qs.filter(forwarded_at__isnull=False)


def for_expert(user, qs):
    from review.enums import AssignmentStatus

    return qs.filter(
        assignments__expert=user,
        assignments__status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED],
    ).distinct()


SCOPES = {
    Role.APPLICANT: for_applicant,
    Role.PROVINCIAL: for_provincial,
    Role.NATIONAL: for_national,
    Role.EXPERT: for_expert,
}


def applications_for(user, qs=None):
    """The applications this user may see; none for an unknown role."""
    qs = Application.objects.all() if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    scope = SCOPES.get(user.role)
    return scope(user, qs) if scope else qs.none()


def can_see_application(user, application) -> bool:
    return applications_for(user, Application.objects.filter(pk=application.pk)).exists()
