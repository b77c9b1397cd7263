import pytest

from applications import submission
from applications.enums import ApplicationState
from tests.factories import complete_application, submitted_application


@pytest.mark.django_db
def test_complete_application_has_no_problems_and_fill_is_idempotent(applicant):
    application = complete_application(applicant)
    assert submission.problems(application) == []
    evidence_before = application.evidence.count()
    again = complete_application(applicant)
    assert again.pk == application.pk
    assert again.evidence.count() == evidence_before
    assert again.policies.count() == 2 and again.plan_years.count() == 5 and again.funding.count() == 5


@pytest.mark.django_db
def test_submitted_application_freezes_version_one(applicant):
    application = submitted_application(applicant)
    assert application.state == ApplicationState.SUBMITTED
    assert application.current_version == 1
    version = application.versions.get()
    assert version.snapshot["zone_name"] == application.zone_name
    assert version.evidence.count() == application.evidence.count()
