"""Issue 16, reviews stay fair: the expert sees what the rubric judges and nothing a reviewer wrote;
scores follow the rubric's step and are shown as written."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from documents import services as documents
from documents.enums import DocumentKind
from review.experts import services as experts
from review.models import Criterion, ExpertAssignment, FormalReview
from tests.experts_support import expert_review_application, make_panel
from tests.factories import open_call
from tests.pipeline_support import FINDINGS
from typography.punctuation import fullwidth

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(django_user_model, national, make_expert):
    """An application in 专家论证 (苏州, recommended with findings and an opinion) and its expert."""
    call = open_call()
    application = expert_review_application(django_user_model, national, "320000", call)
    FormalReview.objects.filter(application=application).update(notes="国家局内部审核记录:材料核实无误。")
    make_panel(make_expert, call, [("110000", "北京大学")])
    experts.auto_assign(call, per_application=1)
    assignment = ExpertAssignment.objects.get(application=application)
    experts.open_plan(assignment, assignment.expert)  # the explicit 'open the plan' (a GET opens nothing)
    return application, assignment


def test_expert_reaches_neither_the_application_page_nor_any_document(client, assigned, national):
    application, assignment = assigned
    opinion = documents.request_document(DocumentKind.PROVINCIAL_OPINION, application=application)
    urls = [("get", reverse("applications:detail", args=[application.pk])),
            ("get", reverse("applications:version", args=[application.pk, application.current_version])),
            ("get", reverse("documents:list", args=[application.pk])),
            ("get", reverse("documents:status", args=[opinion.pk])),
            ("get", reverse("documents:download", args=[opinion.pk]))]
    urls += [("post", reverse("documents:request", args=[application.pk, kind]))
             for kind in ("application_form", "commitment", "provincial_opinion", "dossier", "approval")]
    client.force_login(assignment.expert)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    # National staff still reach them: the refusal is the expert's, not the pages'.
    client.force_login(national)
    for method, url in urls[:4]:
        assert getattr(client, method)(url).status_code == 200, url


def test_scoring_page_shows_the_plan_the_facts_and_the_evidence_but_nothing_a_reviewer_wrote(client, assigned):
    application, assignment = assigned
    client.force_login(assignment.expert)
    page = client.get(reverse("experts:score", args=[assignment.pk])).content.decode()
    version = application.versions.get(number=application.current_version)
    # The evidence the eligibility rests on, downloadable.
    for item in version.snapshot["evidence"]:
        url = reverse("applications:evidence_download", args=[application.pk, item["id"]])
        assert url in page and fullwidth(item["original_name"]) in page
        assert client.get(url).status_code == 200
    assert "证明材料" in page and "填报值" in page and "申报条件审查结果" in page
    # Nothing a reviewer wrote: the provincial opinion and findings, the national record, the timeline.
    for text in ("同意推荐。", *FINDINGS.values(), "国家局内部审核记录", "办理记录"):
        assert text not in page


def score_data(criteria, values, **extra):
    return {**{f"criterion_{c.pk}": v for c, v in zip(criteria, values, strict=True)}, **extra}


def test_a_score_between_the_rubrics_steps_is_refused_at_its_field(client, assigned):
    _application, assignment = assigned
    criteria = experts.ensure_rubric(assignment.application.call)
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    response = client.post(url, score_data(criteria, ["20.3", "21", "22.5", "23"], save="1"))
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'id="id_criterion_{criteria[0].pk}_error">([^<]*)<', page)
    assert error and fullwidth("20.3 不可用,可填 20 或 20.5") in error.group(1)
    assert 'value="22.5"' in page  # everything else typed is kept
    assert not hasattr(assignment, "score") or assignment.score is None
    # The service keeps the rule for every caller, and follows each criterion's own step.
    with pytest.raises(experts.ExpertReviewError, match="步长"):
        experts.save_score(assignment, assignment.expert, {criteria[0].pk: D("20.3")}, "", "", final=False)
    Criterion.objects.filter(pk=criteria[1].pk).update(step=D("1"))
    with pytest.raises(experts.ExpertReviewError, match="步长"):
        experts.save_score(assignment, assignment.expert, {criteria[1].pk: D("20.5")}, "", "", final=False)
    experts.save_score(assignment, assignment.expert, {criteria[0].pk: D("20.5"), criteria[1].pk: D("21")}, "", "",
                       final=False)


def test_the_locked_score_shows_numbers_as_written(client, assigned):
    _application, assignment = assigned
    criteria = experts.ensure_rubric(assignment.application.call)
    client.force_login(assignment.expert)
    url = reverse("experts:score", args=[assignment.pk])
    client.post(url, score_data(criteria, ["22", "21.5", "20", "23"], submit="1", recommendation="approve",
                                comment="方案可行。"))
    page = client.get(url).content.decode()
    assert "评分已于" in page
    total = re.search(r"总分</th><td[^>]*>([^<]*)<", page).group(1)
    assert total == "86.5"
    assert "21.5<" in page and "21.50" not in page and "86.5000" not in page


def test_the_score_form_carries_what_the_live_total_needs(client, assigned):
    """The page adds up Σ weight × score as the expert types (static/js/portal.js, checked in Chromium
    by tests/test_paths_browser.py): every score input says its weight and step."""
    _application, assignment = assigned
    criteria = experts.ensure_rubric(assignment.application.call)
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=D("1.5"))
    client.force_login(assignment.expert)
    page = client.get(reverse("experts:score", args=[assignment.pk])).content.decode()
    assert 'data-running-total' in page and "data-total-output" in page
    assert re.search(rf'name="criterion_{criteria[0].pk}"[^>]*data-weight="1.5"', page) or \
        re.search(rf'data-weight="1.5"[^>]*name="criterion_{criteria[0].pk}"', page)
    assert 'step="0.5"' in page
