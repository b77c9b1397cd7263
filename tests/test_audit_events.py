"""Each event the issue lists produces exactly one audit record with every field: time, actor,
role, organisation, client address, action, object, result (and why, when refused). The events are
caused the way users cause them, through the pages, from a known client address."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation
from applications.demo import demo_pdf
from applications.enums import ApplicationState as S
from applications.enums import EvidenceKind
from audit import chain
from audit.models import AuditRecord
from documents.enums import DocumentKind, DocumentStatus
from documents.models import Document
from review.enums import AssignmentStatus
from review.experts import services as experts
from review.guards import FORMAL_CHECKLIST
from review.models import Criterion, ExpertAssignment
from tests.experts_support import expert_review_application, make_panel, submit_score
from tests.factories import complete_application, submitted_application
from tests.pipeline_support import FINDINGS, application_in

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
PANEL = [("110000", "北京大学"), ("310000", "复旦大学"), ("330000", "浙江大学"), ("610000", "西安交通大学")]


def signed_in(user) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def mark() -> int:
    return chain.head()[0]


def one_record(action, since, *, actor, obj=None, result="success"):
    """The single record of `action` written after `since`, checked field by field."""
    rows = list(AuditRecord.objects.filter(sequence__gt=since, action=action))
    assert len(rows) == 1, [(r.action, r.object_repr, r.reason) for r in rows]
    r = rows[0]
    assert r.created_at is not None and abs((timezone.now() - r.created_at).total_seconds()) < 120
    assert (r.actor_id, r.actor_username, r.actor_role, r.actor_organisation_id) == (
        actor.pk, actor.username, actor.role, actor.organisation_id)
    assert r.client_address == ADDRESS
    if obj is not None:
        named = type(obj).__str__ is not models.Model.__str__
        assert (r.object_type, r.object_id, r.object_repr) == (
            obj._meta.label_lower, str(obj.pk), str(obj)[:200] if named else "")
    assert r.result == result
    assert bool(r.reason) == (result == "refused")
    assert chain.verify().intact
    return r


@pytest.fixture
def in_expert_review(django_user_model, national, make_expert):
    application = expert_review_application(django_user_model, national, "320000")
    panel = make_panel(make_expert, application.call, PANEL)
    return application, panel


# --- the pipeline -------------------------------------------------------------------------------


def test_a_transition_is_recorded_once(actors, applicant, provincial, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    since = mark()
    response = signed_in(provincial).post(reverse("review:transition", args=[application.pk]), {
        "transition": "start_provincial_review", "start_provincial_review-expected_state": S.SUBMITTED})
    assert response.status_code == 302
    r = one_record("application.transition", since, actor=provincial, obj=application)
    assert r.details == {"transition": "start_provincial_review", "from_state": S.SUBMITTED,
                         "to_state": S.PROVINCIAL_REVIEW}


def test_a_refused_transition_is_recorded_once_with_its_reason(actors, applicant, national, make_expert):
    application = application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert)
    since = mark()
    response = signed_in(national).post(reverse("review:transition", args=[application.pk]), {
        "transition": "send_to_experts", "send_to_experts-expected_state": S.NATIONAL_REVIEW})
    assert response.status_code == 302  # back to the page, the refusal shown there (redirect-after-post)
    r = one_record("application.transition", since, actor=national, obj=application, result="refused")
    assert "材料审核清单尚未完成" in r.reason
    assert r.details == {"transition": "send_to_experts", "state": S.NATIONAL_REVIEW,
                         "expected_state": S.NATIONAL_REVIEW}
    application.refresh_from_db()
    assert application.state == S.NATIONAL_REVIEW


def test_a_stale_transition_is_recorded_as_refused(actors, applicant, provincial, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    since = mark()
    response = signed_in(provincial).post(reverse("review:transition", args=[application.pk]), {
        "transition": "decline", "decline-expected_state": S.SUBMITTED, "decline-opinion": "不符合条件。", "confirmed": "1",
        **{f"decline-{k}": v for k, v in FINDINGS.items()}})
    assert response.status_code == 409
    r = one_record("application.transition", since, actor=provincial, obj=application, result="refused")
    assert "已被他人处理" in r.reason and r.details["state"] == S.PROVINCIAL_REVIEW


def test_a_formal_review_edit_is_recorded_once(actors, applicant, national, make_expert):
    application = application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert)
    since = mark()
    response = signed_in(national).post(reverse("review:formal_review", args=[application.pk]), {
        "notes": "材料齐全。", **{key: "on" for key, _label in FORMAL_CHECKLIST}})
    assert response.status_code == 302
    r = one_record("formal_review.save", since, actor=national, obj=application)
    assert r.details["version"] == application.current_version


# --- expert review ------------------------------------------------------------------------------


def test_panel_and_rubric_changes_are_recorded_once_each(in_expert_review, national, make_expert):
    application, panel = in_expert_review
    call = application.call
    newcomer = make_expert("440000", "中山大学")
    client = signed_in(national)
    since = mark()
    response = client.post(reverse("experts:panel", args=[call.pk]), {"experts": [e.pk for e in panel + [newcomer]]})
    assert response.status_code == 302
    r = one_record("panel.change", since, actor=national, obj=call)
    assert r.details == {"added": [newcomer.pk], "removed": []}

    criteria = experts.ensure_rubric(call)
    data = {"form-TOTAL_FORMS": str(len(criteria)), "form-INITIAL_FORMS": str(len(criteria)),
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, c in enumerate(criteria):
        data.update({f"form-{i}-id": c.pk, f"form-{i}-position": c.position, f"form-{i}-name": c.name,
                     f"form-{i}-description": c.description, f"form-{i}-weight": "1",
                     f"form-{i}-max_score": "20" if i == 0 else str(c.max_score)})
    since = mark()
    assert client.post(reverse("experts:rubric", args=[call.pk]), data).status_code == 302
    r = one_record("rubric.change", since, actor=national, obj=call)
    assert criteria[0].pk in r.details["changed"]
    assert Criterion.objects.get(pk=criteria[0].pk).max_score == Decimal("20")


def test_assignments_made_and_withdrawn_are_recorded_once_each(in_expert_review, national):
    application, panel = in_expert_review
    call = application.call
    client = signed_in(national)
    since = mark()
    response = client.post(reverse("experts:assignments", args=[call.pk]), {
        "action": "manual", "application": application.pk, "expert": panel[0].pk})
    assert response.status_code == 302
    assignment = ExpertAssignment.objects.get(application=application, expert=panel[0])
    r = one_record("assignment.create", since, actor=national, obj=assignment)
    assert r.details == {"application": application.pk, "expert": panel[0].pk, "mode": "manual"}

    since = mark()
    response = client.post(reverse("experts:assignments", args=[call.pk]), {
        "action": "withdraw", "assignment": assignment.pk})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.WITHDRAWN
    one_record("assignment.withdraw", since, actor=national, obj=assignment)

    since = mark()
    response = client.post(reverse("experts:assignments", args=[call.pk]), {"action": "auto", "per_application": "3"})
    assert response.status_code == 302
    created = AuditRecord.objects.filter(sequence__gt=since, action="assignment.create")
    live = ExpertAssignment.objects.filter(application=application, status=AssignmentStatus.ASSIGNED)
    assert live.count() == 3
    assert sorted(int(r.object_id) for r in created) == sorted(a.pk for a in live)
    assert {r.details["mode"] for r in created} == {"auto"}


def test_a_refused_assignment_is_recorded_with_its_reason(in_expert_review, national):
    application, panel = in_expert_review
    experts.assign(application, panel[0], by=national)
    since = mark()
    response = signed_in(national).post(reverse("experts:assignments", args=[application.call_id]), {
        "action": "manual", "application": application.pk, "expert": panel[0].pk})
    assert response.status_code == 200
    r = one_record("assignment.create", since, actor=national, obj=application, result="refused")
    assert "已分配" in r.reason and r.details == {"expert": panel[0].pk}


def test_conflict_declaration_and_plan_opening_are_recorded_once_each(in_expert_review, national):
    application, panel = in_expert_review
    assignments = [experts.assign(application, e, by=national) for e in panel[:2]]
    declaring, opening = assignments
    since = mark()
    response = signed_in(declaring.expert).post(reverse("experts:assignment", args=[declaring.pk]),
                                                {"reason": "曾参与该市规划编制。"})
    assert response.status_code == 302
    declaring.refresh_from_db()
    r = one_record("assignment.conflict_declared", since, actor=declaring.expert, obj=declaring)
    replacement = ExpertAssignment.objects.get(pk=r.details["replacement"])
    assert replacement.expert_id not in {panel[0].pk, panel[1].pk}
    assert AuditRecord.objects.filter(sequence__gt=since, action="assignment.create",
                                      object_id=str(replacement.pk), details__mode="replacement").count() == 1

    since = mark()
    client = signed_in(opening.expert)
    assert client.post(reverse("experts:open_plan", args=[opening.pk])).status_code == 302
    assert client.post(reverse("experts:open_plan", args=[opening.pk])).status_code == 302  # once only
    opening.refresh_from_db()
    one_record("assignment.plan_opened", since, actor=opening.expert, obj=opening)


def test_score_submission_and_reopening_are_recorded_once_each(in_expert_review, national):
    application, panel = in_expert_review
    assignment = experts.assign(application, panel[0], by=national)
    experts.open_plan(assignment, panel[0])
    criteria = experts.ensure_rubric(application.call)
    since = mark()
    response = signed_in(panel[0]).post(reverse("experts:score", args=[assignment.pk]), {
        **{f"criterion_{c.pk}": "20" for c in criteria}, "recommendation": "approve", "comment": "可行。",
        "submit": "1"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    r = one_record("score.submit", since, actor=panel[0], obj=assignment)
    assert "可行" not in str(r.details)  # the comment stays out of the audit trail

    since = mark()
    response = signed_in(national).post(reverse("experts:application_scores", args=[application.pk]), {
        "score": assignment.score.pk, "reason": "分项与意见不一致。"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    one_record("score.reopen", since, actor=national, obj=assignment)


# --- files, documents, exports ------------------------------------------------------------------


def test_evidence_upload_withdrawal_and_downloads_are_recorded_once_each(applicant):
    application = complete_application(applicant)
    client = signed_in(applicant)
    url = reverse("applications:section", args=[application.pk, "evidence"])
    since = mark()
    response = client.post(url, {"action": "upload", "kind": EvidenceKind.OTHER, "title": "补充",
                                 "file": SimpleUploadedFile("说明.pdf", demo_pdf("x"), "application/pdf")})
    assert response.status_code == 302
    evidence = application.evidence.get(kind=EvidenceKind.OTHER)
    r = one_record("evidence.upload", since, actor=applicant, obj=evidence)
    assert r.details["sha256"] == evidence.sha256

    since = mark()
    response = client.get(reverse("applications:evidence_download", args=[application.pk, evidence.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    one_record("file.download", since, actor=applicant, obj=evidence)

    policy = application.policies.exclude(document="").first()
    since = mark()
    assert client.get(reverse("applications:policy_document", args=[application.pk, policy.pk])).status_code == 200
    one_record("file.download", since, actor=applicant, obj=policy)

    since = mark()
    assert client.post(url, {"action": "withdraw", "evidence": str(evidence.pk)}).status_code == 302
    evidence.refresh_from_db()
    one_record("evidence.withdraw", since, actor=applicant, obj=evidence)


def test_a_frozen_policy_document_download_is_recorded_once(applicant, provincial):
    application = submitted_application(applicant)
    version = application.versions.get(number=1)
    since = mark()
    response = signed_in(provincial).get(reverse("applications:version_policy_document",
                                                 args=[application.pk, 1, 0]))
    assert response.status_code == 200
    one_record("file.download", since, actor=provincial, obj=version)


def test_a_document_download_is_recorded_once(applicant):
    application = submitted_application(applicant)
    document = Document(kind=DocumentKind.APPLICATION_FORM, application=application, status=DocumentStatus.READY,
                        content_hash="0" * 64, application_version=1)
    document.file.save("document.pdf", ContentFile(demo_pdf("申报书")), save=False)
    document.save()
    since = mark()
    response = signed_in(applicant).get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    r = one_record("document.download", since, actor=applicant, obj=document)
    assert r.details == {"kind": DocumentKind.APPLICATION_FORM, "version": 1, "format": "pdf"}


def test_the_score_summary_export_is_recorded_once(in_expert_review, national):
    application, panel = in_expert_review
    assignment = experts.assign(application, panel[0], by=national)
    submit_score(assignment, (20, 20, 20, 20))
    since = mark()
    response = signed_in(national).get(reverse("experts:summary_xlsx", args=[application.call_id]))
    assert response.status_code == 200
    r = one_record("export.expert_scores", since, actor=national, obj=application.call)
    assert r.details == {"format": "xlsx"}


# --- the admin site, denials --------------------------------------------------------------------


def test_an_administrator_change_in_the_admin_site_is_recorded_once(make_user):
    administrator = make_user(Role.ADMIN, Organisation.objects.get(kind="national"), is_staff=True)
    client = signed_in(administrator)
    since = mark()
    response = client.post(reverse("admin:accounts_organisation_add"), {
        "name": "中国专利保护协会", "kind": OrganisationKind.ASSOCIATION, "province": "", "parent": "", "level": "",
        "city": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(name="中国专利保护协会")
    one_record("admin.add", since, actor=administrator, obj=organisation)

    since = mark()
    response = client.post(reverse("admin:accounts_organisation_change", args=[organisation.pk]), {
        "name": "中国专利保护协会", "kind": OrganisationKind.ASSOCIATION, "province": "", "parent": "", "level": "",
        "city": "北京市"})
    assert response.status_code == 302
    r = one_record("admin.change", since, actor=administrator, obj=organisation)
    assert r.details == {"changes": [{"changed": {"fields": ["所在城市"]}}]}  # field names, never values
    assert "北京市" not in str(r.details)

    since = mark()
    response = client.post(reverse("admin:accounts_organisation_delete", args=[organisation.pk]), {"post": "yes"})
    assert response.status_code == 302
    r = one_record("admin.delete", since, actor=administrator)
    assert (r.object_type, r.object_id, r.object_repr) == ("accounts.organisation", str(organisation.pk),
                                                           "中国专利保护协会")


def test_a_permission_denial_is_recorded_once_and_a_scoping_404_is_not(applicant, national, foreign_applicant):
    since = mark()
    assert signed_in(national).get(reverse("applications:workspace")).status_code == 403
    r = one_record("access.denied", since, actor=national, result="refused")
    assert r.details == {"method": "GET", "path": reverse("applications:workspace"),
                         "view": "applications.views.ApplicantWorkspaceView"}
    assert r.reason == "缺少权限：portal.applicant_workspace"
    # Another applicant's application does not exist for this user: 404, nothing recorded.
    theirs = complete_application(foreign_applicant)
    since = mark()
    assert signed_in(applicant).get(reverse("applications:detail", args=[theirs.pk])).status_code == 404
    assert not AuditRecord.objects.filter(sequence__gt=since).exists()


def test_a_refused_csrf_check_is_recorded_once(applicant):
    client = Client(REMOTE_ADDR=ADDRESS, enforce_csrf_checks=True)
    client.force_login(applicant)
    application = complete_application(applicant)
    since = mark()
    response = client.post(reverse("applications:section", args=[application.pk, "zone"]), {"zone_name": "x"})
    assert response.status_code == 403
    r = one_record("access.denied", since, actor=applicant, result="refused")
    assert r.reason.startswith("CSRF")
