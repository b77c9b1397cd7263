"""Bad input on the pipeline's forms: every transition's opinion, rank, document number and expected
state; the formal review checklist; the provincial ranking. Never a 500; a refused action comes back
with a message; opinions are shown escaped on the timeline."""

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.enums import Role
from applications.enums import ApplicationState as S
from review.guards import FORMAL_CHECKLIST
from review.transitions import TRANSITIONS, perform
from tests.factories import submitted_application
from tests.fuzz_support import (
    FUZZ_FEW,
    IMG,
    SCRIPT,
    assert_message,
    check_response,
    followed,
    hostile_text,
    number_text,
    rolled_back,
)
from tests.pipeline_support import FINDINGS, application_in, satisfy

pytestmark = pytest.mark.django_db

# The applicant's steps go through the submit page (tested in test_fuzz_applicant); the panel takes the rest.
PANEL_TRANSITIONS = [name for name in TRANSITIONS if name not in ("submit", "resubmit")]


def _source_state(name):
    order = [S.PROVINCIAL_REVIEW, S.SUBMITTED, S.RECOMMENDED, S.NATIONAL_REVIEW, S.EXPERT_REVIEW]
    return next(s for s in order if s in TRANSITIONS[name].sources)


@pytest.fixture
def staged(request, actors, make_expert):
    """The application in the transition's source state with its guards met (once per test, not per example)."""
    name = request.node.callspec.params["name"]
    application = application_in(_source_state(name), actors[Role.APPLICANT], actors, make_expert)
    satisfy(application, name, actors[Role.NATIONAL], make_expert)
    return application


@pytest.mark.parametrize("name", PANEL_TRANSITIONS)
@FUZZ_FEW
@given(opinion=hostile_text, rank=number_text, document_number=hostile_text, nxt=hostile_text,
       expected=st.one_of(st.none(), hostile_text), transition=st.one_of(st.none(), hostile_text))
@example(opinion=SCRIPT, rank="1", document_number=IMG, nxt="formal_review", expected=None, transition=None)
@example(opinion="同意。", rank="9" * 30, document_number="x" * 65, nxt="", expected=None, transition=None)
def test_transition_forms_take_any_value(client, actors, staged, name, opinion, rank, document_number, nxt,
                                         expected, transition):
    row = TRANSITIONS[name]
    application = staged
    user = actors[next(iter(row.roles))]
    client.force_login(user)
    payload = {"transition": name if transition is None else transition, "next": nxt,
               f"{name}-expected_state": application.state if expected is None else expected,
               f"{name}-opinion": opinion, f"{name}-rank": rank, f"{name}-document_number": document_number,
               "confirmed": "1"}
    with rolled_back():
        response = client.post(reverse("review:transition", args=[application.pk]), payload)
        page = check_response(response, where=f"transition {name}")
        if response.status_code in (200, 400, 409):
            assert_message(page, f"transition {name}")
        followed(client, response, f"transition {name}")


@pytest.fixture
def in_national_review(actors, make_expert):
    return application_in(S.NATIONAL_REVIEW, actors[Role.APPLICANT], actors, make_expert)


@FUZZ_FEW
@given(notes=hostile_text, checks=st.fixed_dictionaries({key: st.one_of(st.just(""), hostile_text)
                                                         for key, _label in FORMAL_CHECKLIST}))
@example(notes=SCRIPT * 2000, checks={key: "on" for key, _label in FORMAL_CHECKLIST})
@example(notes=IMG, checks={key: "on" for key, _label in FORMAL_CHECKLIST})
def test_formal_review_takes_any_value(client, actors, in_national_review, notes, checks):
    application = in_national_review
    client.force_login(actors[Role.NATIONAL])
    with rolled_back():
        response = client.post(reverse("review:formal_review", args=[application.pk]), {"notes": notes, **checks})
        page = check_response(response, where="formal review")
        if response.status_code in (200, 400):
            assert_message(page, "formal review")
        followed(client, response, "formal review")


@pytest.fixture
def two_recommended(actors, other_applicant, provincial):
    apps = []
    for user in (actors[Role.APPLICANT], other_applicant):
        app = submitted_application(user)
        perform(app, provincial, "start_provincial_review", expected_state=app.state)
        perform(app, provincial, "recommend", "同意推荐。", expected_state=app.state, extra=FINDINGS)
        apps.append(app)
    return apps


@FUZZ_FEW
@given(first=number_text, second=number_text, stray=st.one_of(st.none(), number_text))
@example(first="1", second="1", stray=None)
@example(first="2", second="1", stray="5")
def test_provincial_ranking_takes_any_value(client, provincial, two_recommended, first, second, stray):
    call = two_recommended[0].call
    client.force_login(provincial)
    prefix = f"call{call.pk}"
    payload = {f"{prefix}-rank_{two_recommended[0].pk}": first, f"{prefix}-rank_{two_recommended[1].pk}": second}
    if stray is not None:
        payload[f"{prefix}-rank_999999"] = stray
    with rolled_back():
        response = client.post(reverse("review:provincial_ranking", args=[call.pk]), payload)
        page = check_response(response, where="provincial ranking")
        if response.status_code in (200, 400):
            assert_message(page, "provincial ranking")
        followed(client, response, "provincial ranking")


@FUZZ_FEW
@given(call=st.one_of(number_text, hostile_text), query=st.dictionaries(
    st.sampled_from(["state", "q", "call", "sort", "page", "province", "region", "o"]), hostile_text, max_size=4))
def test_queue_filters_take_any_value(client, provincial, national, two_recommended, call, query):
    """The queues' GET filters are forms too."""
    for user, url in ((provincial, reverse("review:provincial_workspace")),
                      (national, reverse("review:national_workspace")),
                      (national, reverse("review:distribution"))):
        client.force_login(user)
        check_response(client.get(url, {"call": call, **query}), where=url)
