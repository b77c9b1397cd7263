"""Two provincial reviewers act on the same application at the same moment: two threads, two
database connections. Exactly one transition happens; the other gets a clear message."""

import threading

import pytest
from django.db import connections
from django.test import Client

from accounts.enums import Role
from accounts.models import Organisation
from applications.enums import ApplicationState as S
from review.models import ProvincialReview, TransitionLog
from review.transitions import StaleStateError, TransitionError, perform
from tests.pipeline_support import FINDINGS, application_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_at_once_exactly_one_transition(applicant, provincial, national, make_user, make_expert):
    second = make_user(Role.PROVINCIAL, Organisation.objects.get(kind="provincial", province=provincial.province))
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    barrier = threading.Barrier(2, timeout=20)
    outcomes = {}

    def act(user, name, opinion):
        try:
            barrier.wait()
            perform(application, user, name, opinion, expected_state=S.PROVINCIAL_REVIEW, extra=FINDINGS)
            outcomes[name] = "done"
        except TransitionError as e:
            outcomes[name] = e
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=act, args=(provincial, "recommend", "同意推荐。")),
        threading.Thread(target=act, args=(second, "return_to_applicant", "请补充材料。")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["recommend", "return_to_applicant"]
    done = [n for n, o in outcomes.items() if o == "done"]
    refused = [o for o in outcomes.values() if o != "done"]
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], StaleStateError)
    assert "已被他人处理" in refused[0].message and "您的操作未执行" in refused[0].message
    application.refresh_from_db()
    expected = S.RECOMMENDED if done == ["recommend"] else S.RETURNED
    assert application.state == expected
    decisions = TransitionLog.objects.filter(application=application, from_state=S.PROVINCIAL_REVIEW)
    assert decisions.count() == 1
    assert ProvincialReview.objects.filter(application=application).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_at_once_through_the_pages(applicant, provincial, national, make_user, make_expert):
    """The same race through HTTP: one redirect, one page with the message (409)."""
    second = make_user(Role.PROVINCIAL, Organisation.objects.get(kind="provincial", province=provincial.province))
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    barrier = threading.Barrier(2, timeout=20)
    results = []

    def post(user, name, opinion):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(f"/applications/{application.pk}/transition/", {
                "transition": name, f"{name}-expected_state": S.PROVINCIAL_REVIEW, f"{name}-opinion": opinion,
                "confirmed": "1",  # a decline is performed from its confirmation page
                **{f"{name}-{key}": text for key, text in FINDINGS.items()}})
            results.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(provincial, "decline", "不符合条件。")),
               threading.Thread(target=post, args=(second, "recommend", "同意推荐。"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(code for code, _body in results)
    assert codes == [302, 409]
    body = next(b for c, b in results if c == 409)
    assert "已被他人处理" in body
    # The loser's typed opinion is still on screen.
    assert ("不符合条件。" in body) or ("同意推荐。" in body)
    assert TransitionLog.objects.filter(application=application, from_state=S.PROVINCIAL_REVIEW).count() == 1
