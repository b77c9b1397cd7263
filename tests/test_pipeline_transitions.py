"""The state table: every transition allowed for its role(s) and refused for every other role;
guards, opinions, stale states, versions and the append-only log."""

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import ApplicationVersion
from review import numbers
from review.models import Approval, ProvincialReview, TransitionLog
from review.transitions import TRANSITIONS, StaleStateError, TransitionError, perform
from tests.pipeline_support import OPINION, PATHS, add_scores, application_in, extra_for, satisfy, step
from workflow.models import AppendOnlyError

ROLES = [Role.APPLICANT, Role.PROVINCIAL, Role.NATIONAL, Role.EXPERT, Role.ADMIN]


@pytest.fixture
def actors(applicant, provincial, national, expert, administrator):
    return {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national, Role.EXPERT: expert,
            Role.ADMIN: administrator}


def test_every_state_is_reachable_and_every_transition_has_a_path():
    targets = {t.target for t in TRANSITIONS.values()}
    assert set(PATHS) == set(S.values)
    assert targets | {S.DRAFT} == set(S.values)
    for t in TRANSITIONS.values():
        assert any(src in PATHS for src in t.sources), t.name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), list(itertools.product(TRANSITIONS, ROLES)))
def test_transition_allowed_only_for_its_roles(name, role, actors, applicant, make_expert):
    transition = TRANSITIONS[name]
    source = sorted(transition.sources)[0]
    application = application_in(source, applicant, actors, make_expert)
    satisfy(application, name, actors[Role.NATIONAL], make_expert)
    log_before = TransitionLog.objects.count()
    user = actors[role]
    if role in transition.roles:
        entry = perform(application, user, name, OPINION, expected_state=source, extra=extra_for(name))
        application.refresh_from_db()
        assert application.state == transition.target
        assert (entry.from_state, entry.to_state, entry.actor, entry.actor_role) == (source, transition.target, user,
                                                                                     role)
        assert entry.actor_organisation == user.organisation and entry.opinion == OPINION
        assert entry.version == application.current_version >= 1
    else:
        with pytest.raises(TransitionError) as raised:
            perform(application, user, name, OPINION, expected_state=source, extra=extra_for(name))
        assert raised.value.message in ("您的角色无权执行此操作。", "您无权处理该申报。")
        application.refresh_from_db()
        assert application.state == source
        assert TransitionLog.objects.count() == log_before


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if Role.PROVINCIAL in t.roles])
def test_other_province_bureau_is_refused(name, actors, applicant, foreign_provincial, make_expert):
    transition = TRANSITIONS[name]
    application = application_in(sorted(transition.sources)[0], applicant, actors, make_expert)
    with pytest.raises(TransitionError, match="您无权处理该申报"):
        perform(application, foreign_provincial, name, OPINION, extra=extra_for(name))


@pytest.mark.django_db
def test_other_applicant_cannot_submit_someone_elses_application(actors, applicant, other_applicant, make_expert):
    application = application_in(S.DRAFT, applicant, actors, make_expert)
    with pytest.raises(TransitionError, match="您无权处理该申报"):
        perform(application, other_applicant, "submit")


@pytest.mark.django_db
def test_national_cannot_act_before_the_province_forwarded(actors, applicant, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    with pytest.raises(TransitionError):
        perform(application, actors[Role.NATIONAL], "start_national_review")


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t.opinion_required])
def test_opinion_required_where_the_step_judges(name, actors, applicant, make_expert):
    transition = TRANSITIONS[name]
    application = application_in(sorted(transition.sources)[0], applicant, actors, make_expert)
    satisfy(application, name, actors[Role.NATIONAL], make_expert)
    role = next(iter(transition.roles))
    with pytest.raises(TransitionError) as raised:
        perform(application, actors[role], name, "   ", extra=extra_for(name))
    assert "opinion" in raised.value.field_errors
    assert raised.value.field_errors["opinion"].startswith("请填写")


@pytest.mark.django_db
def test_wrong_source_state_is_refused_with_the_current_state(actors, applicant, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    with pytest.raises(TransitionError, match="当前状态为“已报送省局”"):
        perform(application, actors[Role.PROVINCIAL], "recommend", OPINION)


@pytest.mark.django_db
def test_stale_expected_state_is_refused(actors, applicant, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    with pytest.raises(StaleStateError, match="已被他人处理"):
        perform(application, actors[Role.PROVINCIAL], "recommend", OPINION, expected_state=S.SUBMITTED)
    application.refresh_from_db()
    assert application.state == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_recommend_refused_after_the_national_deadline(actors, applicant, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    application.call.national_deadline = timezone.now() - timedelta(minutes=1)
    application.call.save()
    with pytest.raises(TransitionError, match="已过报送国家知识产权局的截止时间"):
        perform(application, actors[Role.PROVINCIAL], "recommend", OPINION)
    # Returning for revision stays possible.
    perform(application, actors[Role.PROVINCIAL], "return_to_applicant", OPINION)


@pytest.mark.django_db
def test_send_to_experts_needs_the_formal_checklist(actors, applicant, make_expert):
    application = application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert)
    with pytest.raises(TransitionError, match="材料审核清单尚未完成"):
        perform(application, actors[Role.NATIONAL], "send_to_experts")


@pytest.mark.django_db
def test_decision_needs_minimum_scores_and_a_document_number(actors, applicant, make_expert):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    add_scores(application, application.call.min_scores - 1, make_expert, actors[Role.NATIONAL])
    with pytest.raises(TransitionError, match="专家论证尚未结束") as raised:
        perform(application, actors[Role.NATIONAL], "approve", "同意批复")
    assert "document_number" in raised.value.field_errors
    add_scores(application, 1, make_expert, actors[Role.NATIONAL])
    number = f"国知办函管字〔{numbers.this_year()}〕8号"
    perform(application, actors[Role.NATIONAL], "approve", "同意批复", extra={"document_number": number})
    approval = Approval.objects.get(application=application)
    assert approval.approved and approval.document_number == number and approval.text == "同意批复"


@pytest.mark.django_db
def test_returned_application_resubmitted_keeps_both_versions_and_the_whole_timeline(actors, applicant, make_expert):
    application = application_in(S.RETURNED, applicant, actors, make_expert)
    application.plan_goals = "修改后的五年建设目标"
    application.save()
    step(application, "resubmit", actors, make_expert)
    step(application, "start_provincial_review", actors, make_expert)
    step(application, "recommend", actors, make_expert)
    application.refresh_from_db()
    versions = list(ApplicationVersion.objects.filter(application=application).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].snapshot["plan_goals"] != "修改后的五年建设目标"
    assert versions[1].snapshot["plan_goals"] == "修改后的五年建设目标"
    log = list(application.log.values_list("transition", "version"))
    assert log == [("submit", 1), ("start_provincial_review", 1), ("return_to_applicant", 1), ("resubmit", 2),
                   ("start_provincial_review", 2), ("recommend", 2)]
    reviews = list(ProvincialReview.objects.filter(application=application).values_list("decision", "version"))
    assert reviews == [("return", 1), ("recommend", 2)]


@pytest.mark.django_db
def test_log_is_append_only(actors, applicant, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    entry = application.log.get()
    entry.opinion = "篡改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db
def test_postgres_trigger_blocks_raw_update_and_delete(actors, applicant, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    entry = application.log.get()
    for sql in ("UPDATE review_transitionlog SET opinion = 'x' WHERE id = %s",
                "DELETE FROM review_transitionlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        TransitionLog.objects.filter(pk=entry.pk).update(opinion="x")
    assert TransitionLog.objects.get(pk=entry.pk).opinion == OPINION


def test_only_the_transition_function_writes_the_state():
    """No other module assigns Application.state (tests and migrations aside)."""
    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"(\.state\s*=[^=])|(\bstate\s*=\s*(S|ApplicationState)\.)")
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv/", "tests/")) or "/migrations/" in rel or rel == "review/transitions.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if pattern.search(code) and ".filter(" not in code and ".exclude(" not in code and "==" not in code:
                if re.search(r"\.(update|create|update_or_create|get_or_create)\(.*state\s*=", code) or \
                        re.search(r"\.state\s*=[^=]", code):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.django_db
def test_admin_cannot_change_an_application(client, administrator, actors, applicant, make_expert,
                                           django_user_model):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    url = f"/admin/applications/application/{application.pk}/change/"
    client.force_login(administrator)
    assert client.get(url).status_code == 403  # 三员分立: the 系统管理员 sees no business data
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.invalid", "Emergency-1x"))
    assert client.get(url).status_code == 200  # the audited emergency account may read it
    response = client.post(url, {"state": S.APPROVED})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
