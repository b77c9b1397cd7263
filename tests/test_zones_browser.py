"""A browser walk of a zone through its years, in Debian's Chromium: the city submits a quarterly
report and a year's indicators, the province confirms them and records an inspection, the city
answers the rectification and applies for acceptance, national staff open the review and assign
experts, an expert scores in the browser (the others through the service), national staff grant
acceptance and download the 验收意见. Screenshots under test-artifacts/screenshots/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from review.enums import AssignmentStatus
from tests.browser import Walker, chromium  # noqa: F401
from tests.conftest import PASSWORD
from tests.zones_support import FIGURES, approved_zone, years_ago
from zones import acceptance
from zones.models import AcceptanceAssignment

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


def act(page, label, opinion=None, **inputs):
    """Open a workflow action's panel, fill it and confirm."""
    page.locator("summary", has_text=label).first.click()
    form = page.locator("details[open] form").first
    if opinion is not None:
        form.locator("textarea").fill(opinion)
    for name, value in inputs.items():
        form.locator(f"input[name$='{name}']").fill(value)
    form.get_by_role("button", name=f"确认{label}").click()
    page.wait_for_load_state()


def test_a_zone_through_its_years(walkers, live_server, applicant, provincial, national, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    zone = approved_zone(applicant, actors, make_expert, days_ago=years_ago(4))
    for code in ("110000", "440000", "420000"):
        make_expert(code, f"验收单位{code}")

    city = walkers(applicant, "zone-city")
    page = city.page
    page.goto(f"/zones/{zone.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(zone.name)
    city.shot("zone page")
    city.assert_accessible()
    report = zone.reports.order_by("year", "quarter").first()
    page.goto(f"/zones/{zone.pk}/reports/{report.pk}/")
    page.get_by_label("本季度完成的主要工作").fill("完成产业专利导航分析,组建运营基金。")
    page.get_by_label("下季度工作计划").fill("推进专利储备运营项目。")
    page.get_by_role("button", name="保存草稿").click()
    act(page, "报送")
    expect(page.get_by_text("第 1 版", exact=False).first).to_be_visible()
    city.shot("report submitted")

    year = zone.indicator_sets.order_by("year").first().year
    page.goto(f"/zones/{zone.pk}/indicators/{year}/")
    for name, value in FIGURES.items():
        page.locator(f"input[name='{name}']").fill(str(value))
    page.get_by_role("button", name="保存", exact=True).click()
    act(page, "报送省局审核")
    city.shot("indicators submitted")

    bureau = walkers(provincial, "zone-province")
    bpage = bureau.page
    bpage.goto(f"/zones/{zone.pk}/indicators/{year}/")
    act(bpage, "审核确认", "数据经核实无误。")
    expect(bpage.get_by_text("省局已确认").first).to_be_visible()
    bpage.goto(f"/zones/{zone.pk}/inspections/new/")
    bpage.get_by_label("检查人员").fill("省局检查组")
    bpage.get_by_label("检查发现").fill("运营基金未到位。")
    bpage.get_by_label("整改要求（如需整改）").fill("三十日内落实。")


    bpage.get_by_label("整改期限").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    bpage.get_by_role("button", name="保存").click()
    expect(bpage.get_by_text("监督检查记录已保存").first).to_be_visible()
    expect(bpage.get_by_text("三十日内落实。").first).to_be_visible()
    bureau.shot("inspection recorded")
    bpage.goto("/zones/")
    bureau.shot("province zones table")
    bureau.assert_accessible()

    page.goto(f"/zones/{zone.pk}/")
    act(page, "报送整改情况", "基金首期已出资到位。")
    page.goto(f"/zones/{zone.pk}/acceptance/")
    page.get_by_role("textbox", name="总结报告").fill("五年建设目标基本实现。")
    page.get_by_role("button", name="保存", exact=True).click()
    act(page, "申请总结验收")
    city.shot("acceptance applied")

    office = walkers(national, "zone-national")
    npage = office.page
    npage.goto(f"/zones/{zone.pk}/acceptance/")
    act(npage, "组织专家验收评审")
    npage.get_by_label("分配专家数").fill("3")
    npage.get_by_role("button", name="自动分配专家（回避利益冲突）").click()
    expect(npage.get_by_text("已分配 3 位专家").first).to_be_visible()
    assignments = list(AcceptanceAssignment.objects.filter(round__zone=zone).select_related("expert", "round"))
    first, others = assignments[0], assignments[1:]
    scorer = walkers(first.expert, "zone-expert")
    spage = scorer.page
    spage.goto("/expert/")
    expect(spage.get_by_text(zone.name).first).to_be_visible()
    scorer.shot("expert workspace")
    spage.goto(f"/expert/acceptance/{first.pk}/score/")
    for inp in spage.locator("input[name^='criterion_']").all():
        inp.fill("18")
    spage.get_by_label("建议通过验收").check()
    spage.get_by_label("评审意见").fill("目标基本实现,同意通过。")
    spage.get_by_role("button", name="提交评分").click()
    expect(spage.get_by_text("评分已提交并锁定").first).to_be_visible()
    criteria = acceptance.ensure_rubric(first.round)
    for a in others:
        acceptance.record_opened(a)
        acceptance.save_score(a, a.expert, {c.pk: Decimal("17") for c in criteria}, "accept", "同意。", final=True)
    assert AcceptanceAssignment.objects.filter(round__zone=zone, status=AssignmentStatus.SUBMITTED).count() == 3

    npage.goto(f"/zones/{zone.pk}/acceptance/")
    act(npage, "通过验收", "同意通过验收。")  # the 文号 field proposes the registry's next number
    expect(npage.locator(".letter-preview")).to_contain_text("抄送")
    office.shot("acceptance letter preview")
    npage.get_by_role("button", name="确认通过验收").click()
    npage.wait_for_load_state()
    expect(npage.get_by_text("通过验收").first).to_be_visible()
    office.shot("accepted")
    npage.goto(f"/applications/{zone.application_id}/documents/")
    row = npage.locator("tr", has_text="验收意见")
    row.get_by_role("button").first.click()
    npage.wait_for_load_state()
    npage.goto(f"/applications/{zone.application_id}/documents/")
    with npage.expect_download() as download:
        npage.locator("tr", has_text="验收意见").get_by_role("link", name="下载PDF").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    npage.goto("/zones/")
    office.shot("national zones table")
    office.assert_accessible()
