"""Issue 16 in Chromium, where the point is what a user sees: the expert's view with its live total,
the section list in three states with the live panel's messages, and the applicant's withdrawal."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from applications.models import Application
from review.experts import services as experts
from review.models import ExpertAssignment
from tests.browser import Walker, chromium  # noqa: F401
from tests.conftest import PASSWORD
from tests.experts_support import expert_review_application, make_panel
from tests.factories import complete_application, open_call, submitted_application
from tests.pipeline_support import FINDINGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def walkers(chromium, live_server):  # noqa: F811
    opened = []

    def open_as(user, name):
        walker = Walker(chromium, live_server.url, name)
        walker.login(user.username, PASSWORD)
        opened.append(walker)
        return walker

    yield open_as
    for walker in opened:
        assert not walker.errors, f"{walker.name}: JavaScript errors {walker.errors}"
        walker.close()


def test_the_expert_scores_blind_with_a_live_total(walkers, django_user_model, national, make_expert):
    call = open_call()
    application = expert_review_application(django_user_model, national, "320000", call)
    make_panel(make_expert, call, [("110000", "北京大学")])
    experts.auto_assign(call, per_application=1)
    assignment = ExpertAssignment.objects.get(application=application)
    e = walkers(assignment.expert, "paths-expert")
    page = e.page
    page.get_by_role("link", name="开始评审").click()
    page.get_by_role("button", name="查看建设方案并评分").click()  # opening the plan is a POST
    expect(page.get_by_role("heading", name="证明材料")).to_be_visible()
    expect(page.get_by_role("link", name="实验区范围边界图.png")).to_be_visible()
    expect(page.get_by_text("办理记录")).to_have_count(0)
    for text in FINDINGS.values():
        expect(page.get_by_text(text)).to_have_count(0)
    total = page.locator("[data-total-output]")
    expect(total).to_have_text("0")
    for label, value in zip(("条件具备", "理念到位", "措施有力", "工作扎实"), ("22", "21.5", "20", "23"), strict=True):
        page.get_by_label(label).fill(value)
    expect(total).to_have_text("86.5")  # Σ weight × score, as the expert types
    e.shot("expert-view")
    e.assert_accessible()
    page.get_by_label("条件具备").fill("20.3")
    expect(total).to_have_text("84.8")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("20.3 不可用\uff0c可填 20 或 20.5")).to_be_visible()
    e.shot("expert-off-step")
    # The application page, with what reviewers wrote, is not there for the expert.
    response = page.goto(f"/applications/{application.pk}/")
    assert response.status == 404


def test_the_section_list_in_three_states_and_the_panel_says_what_is_wrong(walkers, applicant):
    application = complete_application(applicant)
    Application.objects.filter(pk=application.pk).update(gross_output=D("29.99"), plan_goals="")
    a = walkers(applicant, "paths-applicant-sections")
    page = a.page
    page.goto(f"/applications/{application.pk}/edit/figures/")
    nav = page.get_by_role("navigation", name="申报书各部分")
    figures = nav.get_by_role("listitem").filter(has_text="上一年度产业指标")
    expect(figures).to_contain_text("不符合条件")
    expect(figures).to_contain_text("不符合\uff1a上一年度工业总产值")
    expect(nav.get_by_role("listitem").filter(has_text="建设方案").first).to_contain_text("未完成")
    expect(nav.get_by_role("listitem").filter(has_text="实验区基本情况")).to_contain_text("已完成")
    a.shot("three-state-sections")
    a.assert_accessible()
    gross = page.get_by_label("上一年度工业总产值\uff08亿元\uff09", exact=True)
    gross.fill("29.999")
    gross.dispatch_event("change")
    row = page.locator('#eligibility-panel tr[data-code="gross_output"]')
    expect(row).to_contain_text("最多保留 2 位小数")
    expect(row).to_contain_text("填写有误")
    a.shot("live-panel-invalid-figure")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#error_1_id_gross_output")).to_contain_text("最多保留 2 位小数")
    expect(page.locator('#eligibility-panel tr[data-code="gross_output"]')).to_contain_text("最多保留 2 位小数")


def test_the_applicant_withdraws_its_submission(walkers, applicant, provincial):
    application = submitted_application(applicant)
    a = walkers(applicant, "paths-applicant-withdraw")
    page = a.page
    page.goto(f"/applications/{application.pk}/")
    page.get_by_text("撤回报送", exact=True).click()
    box = page.locator("details").filter(has=page.get_by_text("撤回报送", exact=True))
    box.get_by_label("撤回原因\uff08选填\uff09").fill("发现边界图标注有误,撤回修改后重新报送。")
    a.shot("withdraw-form")
    box.get_by_role("button", name="确认撤回报送").click()
    expect(page.get_by_role("status")).to_contain_text("已执行“撤回报送”")
    expect(page.get_by_role("link", name="编辑申报")).to_be_visible()
    expect(page.get_by_role("region", name="报送版本").get_by_role("link")).to_have_text(["第 1 版"])
    expect(page.get_by_role("list", name="办理记录")).to_contain_text("发现边界图标注有误")
    a.shot("withdrawn")
    a.assert_accessible()
    application.refresh_from_db()
    assert application.state == "withdrawn"
    # The province sees that it was withdrawn and has nothing to do.
    p = walkers(provincial, "paths-province-after-withdrawal")
    expect(p.page.get_by_role("cell", name="已撤回")).to_be_visible()
    p.shot("province-queue")
