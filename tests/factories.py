"""Test factories shared by every app's tests. Keep the signatures stable.

    complete_application(applicant_user, call=None) -> Application (DRAFT, filled, submittable)
    submitted_application(applicant_user, call=None) -> Application (SUBMITTED, version 1 frozen)
    open_call(**overrides) -> Call (open, deadline in 30 days)
"""

from datetime import date, timedelta

from django.utils import timezone

from applications.demo import fill_complete
from applications.enums import CallStatus
from applications.models import Application, Call
from review.transitions import perform


def open_call(**overrides) -> Call:
    now = timezone.now()
    values = {
        "title": f"测试申报批次 {now.year}",
        "year": now.year,
        "opens_on": date(now.year, 1, 1),
        "national_deadline": now + timedelta(days=30),
        "status": CallStatus.OPEN,
    }
    values.update(overrides)
    title = values.pop("title")
    call, _ = Call.objects.update_or_create(title=title, defaults=values)
    return call


def application_for(applicant_user, call=None) -> Application:
    """An empty draft for the user's organisation in the call (created if missing)."""
    call = call or open_call()
    org = applicant_user.organisation
    application, _ = Application.objects.get_or_create(
        call=call, applicant=org, defaults={"province": org.province, "city": org.city}
    )
    return application


def complete_application(applicant_user, call=None) -> Application:
    """A DRAFT application with every section filled and every required evidence uploaded."""
    application = application_for(applicant_user, call)
    fill_complete(application, applicant_user)
    application.refresh_from_db()
    return application


def submitted_application(applicant_user, call=None) -> Application:
    """A complete application submitted to its province through the transition function."""
    application = complete_application(applicant_user, call)
    perform(application, applicant_user, "submit", expected_state=application.state)
    application.refresh_from_db()
    return application
