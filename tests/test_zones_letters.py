"""The 验收意见 as an official letter (GB/T 9704 信函格式, a 文号 from the registry, confirmed on a draft
preview), and nothing lost when two people edit a zone's quarterly report, annual figures or
rectification answer at once (workflow.editing)."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from documents import services as documents
from documents.contexts import context_for
from documents.engine import render_pdf
from documents.enums import DocumentKind
from documents.production import render
from documents.sources import SPECS, acceptance_letter
from review import numbers
from review.enums import AssignmentStatus
from review.models import DocumentNumber
from tests.documents_helpers import flat, pdf_text
from tests.zones_support import approved_zone, years_ago
from workflow.machine import TransitionError
from zones import acceptance, queries, services
from zones.enums import RectificationState, ZoneState
from zones.models import AcceptanceAssignment, IndicatorSet, QuarterlyReport, ZoneLog

pytestmark = pytest.mark.django_db

ASCII_NEXT_TO_CJK = re.compile(r"[\u4e00-\u9fff][,:;()!?]|[,:;()!?][\u4e00-\u9fff]")


def do(kind, obj, user, name, opinion="", **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.transition(kind, obj, user, name, opinion, expected_state=obj.state, extra=extra or None)


@pytest.fixture
def in_review(applicant, actors, national, make_expert):
    """A zone in its final year under acceptance review, scored by three experts."""
    zone = approved_zone(applicant, actors, make_expert, days_ago=years_ago(4), call_title="验收意见批次")
    for i, code in enumerate(["110000", "440000", "420000"]):
        make_expert(code, f"验收专家单位{i}")
    services.save_acceptance_summary(zone, applicant, "建设期工作总结。")
    do("zone", zone, applicant, "apply_acceptance")
    do("zone", zone, national, "start_acceptance_review")
    round_ = queries.current_round(zone)
    acceptance.auto_assign(round_, national, per_round=3)
    criteria = acceptance.ensure_rubric(round_)
    for a in AcceptanceAssignment.objects.filter(round=round_, status=AssignmentStatus.ASSIGNED):
        acceptance.record_opened(a)
        acceptance.save_score(a, a.expert, {c.pk: Decimal("18") for c in criteria}, "accept", "成效明显。",
                              final=True)
    zone.refresh_from_db()
    return zone


def _rendered_text(zone):
    document = render(documents.request_document(DocumentKind.ACCEPTANCE_OPINION, application=zone.application).pk)
    assert document.status == "ready", document.error
    with document.file.open("rb") as handle:
        _reader, pages = pdf_text(handle.read())
    return pages


def test_the_acceptance_opinion_is_a_letter_with_a_registry_number(in_review, national, applicant):
    zone = in_review
    number = numbers.proposed(national.organisation)
    do("zone", zone, national, "accept", "实验区建设目标基本实现(专利产品销售收入占比达86%),同意通过验收。",
       document_number=number)
    pages = _rendered_text(zone)
    text = flat("".join(pages))
    bureau = "江苏省知识产权局"
    assert number in text  # the 发文字号 under the red rule
    assert "国家知识产权局办公室" in text  # 发文机关标志 and 署名
    assert f"{applicant.organisation.name}\uff1a" in text  # addressed to the city government
    assert f"\u6284\u9001\uff1a{bureau}\u3002" in text  # 抄送：江苏省知识产权局。
    assert "通过总结验收" in text and "附件" in text and "专家评审情况" in text
    assert "\uff08专利产品销售收入占比达86%\uff09" in text  # the typed opinion's marks made full-width
    raw = "".join(re.sub(r"\s+", "", p) for p in pages)
    assert not ASCII_NEXT_TO_CJK.search(raw), ASCII_NEXT_TO_CJK.search(raw)
    # The number is in the registry, on the log entry and on the zone's timeline.
    assert DocumentNumber.objects.filter(issuer=national.organisation, number=number, transition="accept").exists()
    assert ZoneLog.objects.get(zone=zone, transition="accept").document_number == number
    client = Client()
    client.force_login(national)
    timeline = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()
    assert f"\u53d1\u6587\u5b57\u53f7\uff1a{number}" in timeline  # 发文字号：…


def test_a_rectification_letter_gets_the_next_number_when_none_is_typed(in_review, national):
    zone = in_review
    expected = numbers.proposed(national.organisation)
    do("zone", zone, national, "require_rectification", "专利质押融资未达预期。",
       rectify_by=timezone.localdate() + timedelta(days=90))
    round_ = zone.acceptance_rounds.get(number=1)
    assert round_.document_number == expected
    text = flat("".join(_rendered_text(zone)))
    assert expected in text and "限期整改" in text and "整改报告" in text


@pytest.mark.parametrize("typed, message", [
    ("abc", "发文字号应为"),
    ("国知办函〔{year}〕0号", "发文字号应为"),
    ("苏知函〔{year}〕3号", "机关代字应为"),
    ("国知办函管字〔1999〕3号", "年份应为"),
])
def test_a_malformed_number_is_refused_at_its_field(in_review, national, typed, message):
    zone = in_review
    with pytest.raises(TransitionError) as refused:
        do("zone", zone, national, "accept", "同意。", document_number=typed.format(year=numbers.this_year()))
    assert message in refused.value.field_errors["document_number"]
    zone.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTANCE_REVIEW


def test_a_used_number_is_refused_at_the_field_and_never_reused(in_review, national, client):
    zone = in_review
    used = numbers.proposed(national.organisation)  # then given to another letter (a 批复)
    serial = int(numbers.FORM.match(used)["serial"])
    DocumentNumber.objects.create(issuer=national.organisation, year=numbers.this_year(), serial=serial, number=used,
                                  transition="approve", issued_by=national)
    client.force_login(national)
    url = reverse("zones:acceptance", args=[zone.pk])
    response = client.post(url, {"kind": "zone", "object": zone.pk, "transition": "accept",
                                 "accept-expected_state": zone.state, "accept-opinion": "同意通过验收。",
                                 "accept-document_number": used})
    body = unescape(response.content.decode())
    assert response.status_code == 400
    assert "id_accept-document_number-error" in body and "已经使用" in body
    assert f'value="{used}"' in body  # what was typed stays in the field
    zone.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTANCE_REVIEW


def test_the_decision_is_confirmed_on_a_draft_of_the_letter(in_review, national, applicant, client):
    zone = in_review
    client.force_login(national)
    url = reverse("zones:acceptance", args=[zone.pk])
    proposed = numbers.proposed(national.organisation)
    form = client.get(url).content.decode()
    assert f'value="{proposed}"' in form  # the registry's next number, proposed in the field
    data = {"kind": "zone", "object": zone.pk, "transition": "accept", "accept-expected_state": zone.state,
            "accept-opinion": "建设成效明显。", "accept-document_number": proposed}
    page = client.post(url, data).content.decode()
    assert "确认通过验收" in page and "letter-preview draft" in page and proposed in page
    assert "抄送" in page and applicant.organisation.name in page and "建设成效明显。" in page
    zone.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTANCE_REVIEW and not DocumentNumber.objects.filter(number=proposed).exists()
    back = client.post(url, {**data, "revise": "1"}).content.decode()
    assert "建设成效明显。" in back and "确认通过验收" in back
    response = client.post(url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.state == ZoneState.ACCEPTED
    assert zone.acceptance_rounds.get().document_number == proposed
    # A second confirmation of the same page (another tab) neither decides twice nor reuses the number.
    again = client.post(url, {**data, "confirmed": "1"})
    assert again.status_code in (400, 409)
    assert DocumentNumber.objects.filter(number=proposed).count() == 1


@pytest.mark.parametrize("paragraphs, tail", [(0, 0), (3, 14), (6, 42), (7, 14), (10, 14)])
def test_the_attachment_note_and_signature_never_stand_alone_on_a_page(in_review, paragraphs, tail):
    """Whatever the opinion's length, the 附件说明 and the 署名 share their page with at least two lines of
    the body (opinions measured to end right at a page's foot included)."""
    round_ = in_review.acceptance_rounds.get()
    line = "实验区围绕产业链布局专利导航项目,建立了专利运营基金,培育了一批知识产权优势企业,专利产品销售收入稳步增长。"
    text = "\n".join([line] * paragraphs + ([line[:tail]] if tail else [])) or "同意。"
    data = acceptance_letter(round_, decision="accepted", text=text, document_number="国知办函管字〔2026〕7号",
                             date="2026-11-30", rectify_by=None)
    pdf = render_pdf(SPECS[DocumentKind.ACCEPTANCE_OPINION].template,
                     context_for(DocumentKind.ACCEPTANCE_OPINION, data, None))
    _reader, pages = pdf_text(pdf)
    pages = [re.sub(r"\s+", "", p) for p in pages]
    closing = next(p for p in pages if "\u7279\u6b64\u51fd\u544a" in p)  # 特此函告
    assert "\u9644\u4ef6\uff1a" in closing and "2026\u5e7411\u670830\u65e5" in closing  # 附件： and the date
    before = closing.split("\u7279\u6b64\u51fd\u544a")[0]
    assert len(before) >= 30, f"only {before!r} of the body on the page of the 附件说明 and 署名"
    assert len(pages) >= 3 and pages[-1].startswith("\u9644\u4ef6")  # the 附件 on its own page, last


# --- two people editing at once -------------------------------------------------------------------


def _token(page, name="_loaded"):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return unescape(match.group(1))


@pytest.fixture
def colleague(make_user, applicant):
    """A second member of the same city's staff."""
    return make_user(Role.APPLICANT, applicant.organisation)


@pytest.fixture
def zone(applicant, actors, make_expert):
    return approved_zone(applicant, actors, make_expert, days_ago=years_ago(1))


def _clients(*users):
    out = []
    for user in users:
        c = Client()
        c.force_login(user)
        out.append(c)
    return out


def test_a_stale_quarterly_report_save_is_refused_with_both_texts(zone, applicant, colleague):
    report = QuarterlyReport.objects.filter(zone=zone, state="draft", period_start__lte=timezone.localdate()).first()
    url = reverse("zones:report", args=[zone.pk, report.pk])
    first, second = _clients(applicant, colleague)
    token_1, token_2 = _token(first.get(url).content.decode()), _token(second.get(url).content.decode())
    blank = {"action": "save", "task_mechanism": "", "task_network": "", "task_projects": "", "task_services": "",
             "task_enterprises": "", "task_international": "", "work_done": "", "problems": "", "next_plan": ""}
    assert first.post(url, {**blank, "_loaded": token_1, "work_done": "甲召开领导小组会议。",
                            "problems": "甲经费不足。"}).status_code == 302
    response = second.post(url, {**blank, "_loaded": token_2, "work_done": "乙完成专利导航分析。"})
    body = unescape(response.content.decode())
    assert response.status_code == 409
    assert "甲召开领导小组会议。" in body and "乙完成专利导航分析。" in body  # theirs beside mine
    assert "其他人已将此项保存为" in body and "id_work_done_error" in body  # at the field, in Chinese
    report.refresh_from_db()
    assert report.work_done == "甲召开领导小组会议。"  # nothing overwritten
    # Saving again after merging goes through; the field the second person never touched keeps the first's.
    merged = second.post(url, {**blank, "_loaded": _token(body), "work_done": "甲乙合并会议与导航分析。",
                               "problems": "甲经费不足。"})
    assert merged.status_code == 302
    report.refresh_from_db()
    assert report.work_done == "甲乙合并会议与导航分析。" and report.problems == "甲经费不足。"


def test_a_stale_indicator_save_is_refused_and_untouched_figures_survive(zone, applicant, colleague):
    item = IndicatorSet.objects.filter(zone=zone, state="draft").order_by("year").first()
    url = reverse("zones:indicators", args=[zone.pk, item.year])
    first, second = _clients(applicant, colleague)
    token_1, token_2 = _token(first.get(url).content.decode()), _token(second.get(url).content.decode())
    assert first.post(url, {"action": "save", "_loaded": token_1, "gross_output": "1000",
                            "rd_spending": "50.01"}).status_code == 302
    response = second.post(url, {"action": "save", "_loaded": token_2, "gross_output": "1200",
                                 "standards": "8"})
    body = unescape(response.content.decode())
    assert response.status_code == 409 and "1000" in body and "1200" in body
    assert "其他人已将此项保存为" in body
    item.refresh_from_db()
    assert item.gross_output == Decimal("1000") and item.standards is None
    # Without the token (an older page) a save still works as before; with the new one the merge goes through.
    again = second.post(url, {"action": "save", "_loaded": _token(body), "gross_output": "1200", "standards": "8",
                              "rd_spending": "50.01"})
    assert again.status_code == 302
    item.refresh_from_db()
    assert (item.gross_output, item.rd_spending, item.standards) == (Decimal("1200"), Decimal("50.01"), 8)


def test_a_stale_rectification_answer_never_overwrites(zone, applicant, colleague, provincial, national):
    inspection = services.record_inspection(zone, provincial, inspected_on=timezone.localdate(),
                                            inspectors="省局检查组", findings="专利运营基金未到位。",
                                            requirement="三个月内完成基金首期出资。",
                                            deadline=timezone.localdate() + timedelta(days=90))
    rectification = inspection.rectification
    url = reverse("zones:detail", args=[zone.pk])
    first, second = _clients(applicant, colleague)
    page_1, page_2 = first.get(url).content.decode(), second.get(url).content.decode()
    token_1, token_2 = _token(page_1, "answer-loaded"), _token(page_2, "answer-loaded")

    def answer(client, token, text):
        return client.post(url, {"kind": "rectification", "object": rectification.pk, "transition": "answer",
                                 "answer-expected_state": RectificationState.OPEN, "answer-opinion": text,
                                 "answer-loaded": token})

    assert answer(first, token_1, "甲基金首期出资已到位。").status_code == 302
    # The second person, on the page loaded before, meets the first's answer: 409, both shown.
    response = answer(second, token_2, "乙已召开整改推进会。")
    body = unescape(response.content.decode())
    assert response.status_code == 409 and "甲基金首期出资已到位。" in body and "乙已召开整改推进会。" in body
    # The province asks for more; the stale form (same state again) still does not overwrite the answer.
    rectification.refresh_from_db()
    do("rectification", rectification, national, "reopen", "请附出资凭证。")
    response = answer(second, token_2, "乙已召开整改推进会。")
    body = unescape(response.content.decode())
    assert response.status_code == 400
    assert "其他人已报送了整改情况" in body and "甲基金首期出资已到位。" in body
    assert "id_answer-opinion-error" in body and "乙已召开整改推进会。" in body  # at the field, typed text kept
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN and rectification.response == "甲基金首期出资已到位。"
    # The page now carries the version the person has seen: answering again after merging goes through.
    merged = answer(second, _token(body, "answer-loaded"), "甲乙出资到位并附凭证。")
    assert merged.status_code == 302
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.ANSWERED and rectification.response == "甲乙出资到位并附凭证。"
