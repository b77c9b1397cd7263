"""The 文号 registry, the confirmation of steps that cannot be undone, the applicant's watermarked drafts,
the documents reviewers read (the submitted version) and notifications in each reader's language."""

from io import BytesIO

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import override
from pypdf import PdfReader

from accounts.enums import Role
from accounts.models import Organisation
from applications.enums import ApplicationState as S
from documents import production, services
from documents.enums import DocumentKind as K
from documents.models import Document
from documents.sources import Unavailable
from notifications.messages import text
from notifications.models import Notification
from review import numbers
from review.models import Approval, DocumentNumber, ProvincialReview, TransitionLog
from review.transitions import TransitionError, perform
from tests.factories import complete_application
from tests.pipeline_support import add_scores, application_in


def _number(issuer, serial):
    return numbers.format_number(issuer.document_code, numbers.this_year(), serial)


@pytest.mark.django_db
def test_the_portal_proposes_the_next_number_per_issuer_and_year(actors, applicant, make_expert, national, provincial):
    office, bureau = national.organisation, provincial.organisation
    assert office.document_code == "国知办函管字" and bureau.document_code == "苏知函"
    assert numbers.proposed(office) == _number(office, 1)
    first = application_in(S.RECOMMENDED, applicant, actors, make_expert)
    # The 推荐函 took the bureau's first number without anyone typing it; the log and the review keep it.
    review = ProvincialReview.objects.get(application=first, decision="recommend")
    assert review.document_number == _number(bureau, 1)
    assert TransitionLog.objects.get(application=first, transition="recommend").document_number == _number(bureau, 1)
    assert numbers.proposed(bureau) == _number(bureau, 2)
    assert numbers.proposed(office) == _number(office, 1)  # another issuer, its own sequence
    DocumentNumber.objects.create(issuer=office, year=numbers.this_year(), serial=7, number=_number(office, 7),
                                  transition="approve", issued_by=national)
    assert numbers.proposed(office) == _number(office, 8)


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "发文字号应为"), ("国知办函管字〔2026〕01号", "发文字号应为"), ("国知办函〔{year}〕3号", "机关代字应为"),
    ("国知办函管字〔1999〕3号", "年份应为"), ("国知办函管字〔{year}〕第3号", "发文字号应为"),
])
def test_a_malformed_number_is_refused_at_its_field(actors, applicant, make_expert, national, typed, message):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    add_scores(application, application.call.min_scores, make_expert, national)
    with pytest.raises(TransitionError) as refused:
        perform(application, national, "approve", "同意。", extra={"document_number": typed.format(year=numbers.this_year())})
    assert message in refused.value.field_errors["document_number"]
    application.refresh_from_db()
    assert application.state == S.EXPERT_REVIEW and not Approval.objects.filter(application=application).exists()


@pytest.mark.django_db
def test_a_used_number_is_refused_and_the_database_refuses_it_too(actors, applicant, other_applicant, make_expert,
                                                                  national):
    first = application_in(S.APPROVED, applicant, actors, make_expert)
    used = first.approval.document_number
    second = application_in(S.EXPERT_REVIEW, other_applicant, {**actors, Role.APPLICANT: other_applicant},
                            make_expert)
    add_scores(second, second.call.min_scores, make_expert, national)
    with pytest.raises(TransitionError) as refused:
        perform(second, national, "approve", "同意。", extra={"document_number": used})
    assert "已经使用" in refused.value.field_errors["document_number"]
    # Brackets people type are read as 〔〕; the proposed number goes through.
    typed = numbers.proposed(national.organisation).replace("\u3014", "[").replace("\u3015", "]")
    perform(second, national, "approve", "同意。", extra={"document_number": typed})
    assert Approval.objects.get(application=second).document_number == numbers.normalise(typed)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(issuer=national.organisation, year=numbers.this_year(), serial=1,
                                      number="x", transition="approve", issued_by=national)


@pytest.mark.django_db
def test_organisation_code_is_the_code_alone():
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - only this test needs it

    office = Organisation.objects.get(kind="national")
    office.document_code = "国知办函管字〔2026〕"
    with pytest.raises(ValidationError):
        office.clean()


@pytest.mark.django_db
def test_approval_asks_for_confirmation_on_a_draft_of_the_letter(client, actors, applicant, make_expert, national):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    add_scores(application, application.call.min_scores, make_expert, national)
    client.force_login(national)
    url = reverse("review:transition", args=[application.pk])
    proposed = numbers.proposed(national.organisation)
    form = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f'value="{proposed}"' in form and "批复正文第二项" in form  # proposed number; where the opinion goes
    data = {"transition": "approve", "approve-expected_state": S.EXPERT_REVIEW, "approve-opinion": "请加强专利运营。",
            "approve-document_number": proposed}
    page = client.post(url, data).content.decode()
    assert "确认批复" in page and "letter-preview draft" in page and proposed in page
    assert "关于同意开展" in page and "请加强专利运营\uff0e" not in page and "请加强专利运营。" in page
    assert "抄送" in page  # the letter as it will be issued, copied to the applicant government
    application.refresh_from_db()
    assert application.state == S.EXPERT_REVIEW and not DocumentNumber.objects.filter(number=proposed).exists()
    # Back to the form (redirect-after-post, everything typed kept for the page).
    back = client.post(url, {**data, "revise": "1"}, follow=True).content.decode()
    assert "请加强专利运营。" in back and "确认批复" in back
    response = client.post(url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.APPROVED and application.approval.document_number == proposed
    timeline = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f"发文字号\uff1a{proposed}" in timeline  # the number on the log entry, shown in the timeline


@pytest.mark.django_db
def test_a_refused_decision_is_not_offered_for_confirmation(client, actors, applicant, make_expert, national):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)  # no scores yet
    client.force_login(national)
    response = client.post(reverse("review:transition", args=[application.pk]), {
        "transition": "approve", "approve-expected_state": S.EXPERT_REVIEW, "approve-opinion": "同意。",
        "approve-document_number": "abc"}, follow=True)
    body = response.content.decode()
    # Refused: redirected back to the application's page, the refusal beside the inputs, the typed value kept.
    assert response.redirect_chain and "专家论证尚未结束" in body and 'value="abc"' in body
    assert "id_approve-document_number-error" in body


def _pdf_text(document):
    with document.file.open("rb") as handle:
        return "".join(p.extract_text() for p in PdfReader(BytesIO(handle.read())).pages)


@pytest.mark.django_db
def test_the_applicant_prints_watermarked_drafts_before_submitting(client, applicant, provincial):
    application = complete_application(applicant)
    form = production.render(services.request_document(K.DRAFT_APPLICATION_FORM, application=application).pk)
    letter = production.render(services.request_document(K.DRAFT_COMMITMENT, application=application).pk)
    assert form.status == letter.status == "ready"
    assert "草稿" in _pdf_text(form) and "申报单位" in _pdf_text(form) and "草稿" in _pdf_text(letter)
    assert form.filename.endswith("申报书\uff08草稿\uff09-v1.pdf")
    client.force_login(applicant)
    page = client.get(reverse("documents:list", args=[application.pk])).content.decode()
    assert "申报书\uff08草稿\uff09" in page
    perform(application, applicant, "submit", expected_state=S.DRAFT)
    with pytest.raises(Unavailable):
        services.request_document(K.DRAFT_COMMITMENT, application=application)
    # The submitted version's documents carry no watermark; the province never sees the drafts.
    submitted = production.render(services.request_document(K.COMMITMENT, application=application).pk)
    assert submitted.status == "ready" and "草稿" not in _pdf_text(submitted)
    client.force_login(provincial)
    assert client.get(reverse("documents:download", args=[letter.pk])).status_code == 404
    assert client.post(reverse("documents:request", args=[application.pk, K.DRAFT_COMMITMENT])).status_code == 404
    assert "草稿" not in client.get(reverse("documents:list", args=[application.pk])).content.decode()


@pytest.mark.django_db
def test_reviewers_read_the_submitted_commitment_not_the_live_draft(actors, applicant, make_expert, provincial):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    submitted_department = application.lead_department
    perform(application, provincial, "return_to_applicant", "请补充。", expected_state=S.PROVINCIAL_REVIEW)
    application.lead_department = "后来改写的牵头部门"
    application.save()
    document = production.render(services.request_document(K.COMMITMENT, application=application).pk)
    text_ = _pdf_text(document).replace("\n", "")
    assert submitted_department in text_ and "后来改写的牵头部门" not in text_
    assert Document.objects.get(pk=document.pk).application_version == application.current_version


@pytest.mark.django_db
def test_notifications_carry_the_opinion_and_read_in_each_readers_language(actors, applicant, make_expert):
    application_in(S.RETURNED, applicant, actors, make_expert)
    note = Notification.objects.filter(recipient=applicant, message_key="review.transition").latest("pk")
    assert note.params["opinion"] and note.params["transition"] == "return_to_applicant"
    zh = text(note, "zh-hans")
    assert "退回理由及修改要求\uff1a" in zh.body and note.params["opinion"].split(",")[0] in zh.body
    with override("en"):
        en = text(note)
    assert en.subject != zh.subject and "\uff1a" not in en.body
