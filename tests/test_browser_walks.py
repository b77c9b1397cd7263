"""Browser walks of the whole pipeline, as its users would do it, in Debian's Chromium.

Walk 1: an applicant fills every section and submits; the province recommends; national staff
run the formal review, send it to experts and auto-assign; three experts score; national staff
approve; the applicant and the province download the 批复 PDF. Walk 2: the province returns the
application with reasons, the applicant edits and resubmits, and the province sees version 2.

Selectors are accessible names (labels, roles). Every step saves a screenshot under
test-artifacts/screenshots/; axe-core checks every role's main pages for serious or critical
violations. Documents are rendered by the Celery task, eagerly after the request commits
(settings_test: CELERY_TASK_ALWAYS_EAGER), and the page's htmx polling shows them ready.
"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from applications.demo import complete_values, demo_pdf, demo_png
from applications.enums import EvidenceKind
from applications.forms import section_form_class
from applications.models import Application
from applications.sections import PLAN_YEARS, required_evidence
from review import numbers
from review.experts import services as experts
from tests.browser import Walker, chromium  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import open_call, submitted_application
from typography import fullwidth as fw  # the pages show Chinese text with full-width marks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ZONE_NAME = "苏州市国家专利导航产业发展实验区"


@pytest.fixture
def call(django_db_serialized_rollback, live_server, make_expert):
    """The open call with a panel of three experts, none from the applicant's province (江苏)."""
    call = open_call(experts_per_application=3, min_scores=3)
    panel = [make_expert("110000", "北京大学"), make_expert("440000", "中山大学"), make_expert("420000", "武汉大学")]
    experts.set_panel(call, panel)
    experts.ensure_rubric(call)
    call.expert_panel = panel
    return call


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


# ---- the applicant's form -----------------------------------------------------------------------

def _text(value):
    return "" if value is None else str(value)


def fill_section(page, key, values):
    """Type this section's values into its form, field by field, found by their labels."""
    form = section_form_class(key)()
    for name, field in form.fields.items():
        value = values[name]
        control = page.get_by_label(fw(str(field.label)), exact=True)
        widget = type(field.widget).__name__
        if widget == "NullBooleanSelect":
            control.select_option(label={True: "是", False: "否", None: "未知"}[value])
        elif widget == "CheckboxInput":
            control.set_checked(bool(value))
        elif value in (None, "") and not control.is_editable():
            continue
        else:
            control.fill(_text(value))


def fill_application(walker, application, year):
    page = walker.page
    values = complete_values(application)
    values["zone_name"] = ZONE_NAME
    for key in ("zone", "applicant", "industry", "figures", "service"):
        expect(page.get_by_role("heading", level=2).first).to_be_visible()
        fill_section(page, key, values)
        walker.shot(f"section-{key}")
        if key == "zone":
            walker.assert_accessible()
        page.get_by_role("button", name="保存并继续").click()
        expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()

    # 地方支持政策: one issued policy with its document.
    expect(page.get_by_role("heading", name="地方支持政策")).to_be_visible()
    row = page.get_by_role("group", name="新增一项")
    row.get_by_label("状态").select_option(label="已出台")
    row.get_by_label("政策名称").fill("关于加快集成电路产业知识产权发展的若干意见")
    row.get_by_label("文号").fill("苏府发〔2025〕12号")
    row.get_by_label(fw("出台(或计划出台)日期")).fill(f"{year - 1}-06-01")
    row.get_by_label(fw("政策文件(PDF、JPEG 或 PNG)")).set_input_files(
        {"name": "若干意见.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("local policy")})
    walker.shot("section-policies")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="建设方案", exact=True)).to_be_visible()
    fill_section(page, "plan", values)
    walker.shot("section-plan")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="年度计划与目标")).to_be_visible()
    for i in range(PLAN_YEARS):
        row = page.get_by_role("group", name=f"{year + i} 年度")
        row.get_by_label("年度工作安排").fill(f"第{i + 1}年:完成专利导航分析{i + 1}项,培育优势企业{5 * (i + 1)}家。")
        row.get_by_label(fw("工业总产值目标(亿元)")).fill(str(500 + 100 * i))
        row.get_by_label(fw("专利产品销售收入目标(亿元)")).fill(str(430 + 85 * i))
        row.get_by_label(fw("研发投入目标(亿元)")).fill(str(30 + 6 * i))
        row.get_by_label(fw("产业专利拥有量目标(件)")).fill(str(16000 + 1500 * i))
    walker.shot("section-plan-years")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="建设承诺书")).to_be_visible()
    fill_section(page, "commitment", values)
    walker.shot("section-commitment")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="财政经费投入")).to_be_visible()
    for i in range(PLAN_YEARS):
        page.get_by_role("group", name=f"{year + i} 年度").get_by_label(fw("财政经费(万元)")).fill("2000")
    walker.shot("section-funding")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="证明材料")).to_be_visible()
    application.refresh_from_db()
    for kind in required_evidence(application):
        label = str(EvidenceKind(kind).label)
        page.get_by_label("材料类型").select_option(label=label)
        if kind == EvidenceKind.BOUNDARY_MAP:
            upload = {"name": "边界图.png", "mimeType": "image/png", "buffer": demo_png("boundary")}
        else:
            upload = {"name": f"{label}.pdf", "mimeType": "application/pdf", "buffer": demo_pdf(kind)}
        page.get_by_label(fw("文件(PDF、JPEG 或 PNG)")).set_input_files(upload)
        page.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(f"已上传“{upload['name']}”")
    expect(page.get_by_text("缺少", exact=True)).to_have_count(0)
    walker.shot("section-evidence")
    walker.assert_accessible()


def submit(walker, button):
    page = walker.page
    page.get_by_role("link", name="检查并报送省局").first.click()
    expect(page.get_by_text(fw("申报材料齐全,符合申报条件,可以报送。"))).to_be_visible()
    walker.shot("submit-page")
    walker.assert_accessible()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text("已报送省局")


def eligibility_passes(page):
    table = page.get_by_role("table", name="申报条件检查")
    expect(table.get_by_role("row")).not_to_have_count(1)
    expect(table.get_by_text("符合", exact=True).first).to_be_visible()
    expect(table.get_by_text("不符合", exact=True)).to_have_count(0)
    expect(table.get_by_text("需说明理由", exact=True)).to_have_count(0)


def act(walker, action, shot, **fields):
    """Open a pipeline action on the application page, fill its inputs and confirm it."""
    page = walker.page
    summary = page.get_by_text(fw(action), exact=True)  # the <summary> of the action's <details>
    summary.click()
    box = page.locator("details").filter(has=summary)
    for label, value in fields.items():
        box.get_by_label(fw(label)).fill(value)
    walker.shot(shot)
    box.get_by_role("button", name=f"确认{action}").click()
    page.wait_for_load_state()
    if page.get_by_role("heading", name=f"确认{action}").count():
        # A step that cannot be undone shows what it issues first (review/confirm.html).
        walker.shot(f"{shot}-confirm")
        walker.assert_accessible()
        page.get_by_role("button", name=f"确认{action}").click()
        page.wait_for_load_state()


def applicant_starts(walker, call):
    page = walker.page
    expect(page.get_by_role("heading", name="申报主体工作台")).to_be_visible()
    walker.shot("workspace")
    walker.assert_accessible()
    page.get_by_role("link", name="新建申报").click()
    page.get_by_label("申报批次").select_option(label=str(call))
    walker.shot("new-application")
    page.get_by_role("button", name="创建申报草稿").click()
    expect(page.get_by_role("heading", name="实验区基本情况")).to_be_visible()


def open_application(walker, name=ZONE_NAME):
    walker.page.get_by_role("link", name=name).first.click()
    expect(walker.page.get_by_role("heading", level=1, name=name)).to_be_visible()


def download_approval(walker, application):
    """From the application page to its documents; ask for the 批复 and download it when ready."""
    page = walker.page
    page.get_by_role("link", name="文书").click()
    expect(page.get_by_role("heading", name="文书")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="批复", exact=True))
    row.get_by_role("button").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="批复", exact=True))
    expect(row.get_by_text("已生成")).to_be_visible(timeout=60000)  # htmx polls the status every 2s
    walker.shot("approval-ready")
    walker.assert_accessible()
    with page.expect_download() as info:
        row.get_by_role("link", name="下载PDF").click()
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(open(pdf.path(), "rb").read())).pages)
    text = re.sub(r"\s+", "", text)
    assert ZONE_NAME in text
    assert f"国知办函管字〔{numbers.this_year()}〕88号" in text
    return text


# ---- walk 1 -------------------------------------------------------------------------------------

def test_whole_pipeline_walk(walkers, call, applicant, provincial, national):
    year = call.year
    # The applicant fills every section in the browser and submits.
    a = walkers(applicant, "1-applicant")
    applicant_starts(a, call)
    application = Application.objects.get(call=call, applicant=applicant.organisation)
    fill_application(a, application, year)
    a.page.get_by_role("link", name="查看申报全文").click()
    eligibility_passes(a.page)
    a.shot("detail-before-submit")
    a.assert_accessible()
    submit(a, "确认报送省局")
    a.shot("submitted")

    # The province opens it from its queue, starts the review and recommends with an opinion.
    p = walkers(provincial, "1-province")
    expect(p.page.get_by_role("heading", level=1)).to_be_visible()
    p.shot("provincial-queue")
    p.assert_accessible()
    open_application(p)
    p.assert_accessible()
    act(p, "受理并开始审核", "start-review")
    act(p, "推荐至国家局", "recommend", 建设方案审核情况="产业定位清晰,六项任务具体可行。",
        证明材料审核情况="证明材料齐全,与申报数据一致。", 承诺书审核情况="承诺书已由市政府签章。",
        审核意见="材料齐全,产业基础扎实,同意推荐。", 省内推荐排序="1")
    expect(p.page.get_by_text(fw("材料齐全,产业基础扎实,同意推荐。"))).to_be_visible()
    p.shot("recommended")

    # National staff: formal review with the checklist, then experts and auto-assignment.
    n = walkers(national, "1-national")
    n.shot("national-workspace")
    n.assert_accessible()
    open_application(n)
    act(n, "开始材料审核", "start-formal-review")
    n.page.get_by_role("link", name="填写材料审核清单").click()
    for box in ("申报书、建设方案、证明材料、承诺书齐全", "申报条件经核实符合要求", "省局审核意见已出具", "承诺书已由政府签章"):
        n.page.get_by_label(fw(str(box))).check()
    n.page.get_by_label("审核记录").fill("材料齐全,条件核实无误。")
    n.shot("checklist")
    n.assert_accessible()
    n.page.get_by_role("button", name="保存审核清单").click()
    act(n, "提交专家论证", "send-to-experts")
    n.page.get_by_role("link", name="我的工作台").click()
    n.page.get_by_role("link", name="专家论证").first.click()
    n.page.get_by_role("link", name="专家分配").click()
    n.page.get_by_label("每项申报分配专家数").fill("3")
    n.page.get_by_role("button", name="自动分配").click()
    expect(n.page.get_by_text("已分配 3 位")).to_be_visible()
    n.shot("auto-assigned")
    n.assert_accessible()

    # Three experts score.
    for i, expert in enumerate(call.expert_panel):
        e = walkers(expert, f"1-expert{i + 1}")
        expect(e.page.get_by_role("heading", name="专家评审工作台")).to_be_visible()
        e.shot("expert-workspace")
        if i == 0:
            e.assert_accessible()
        e.page.get_by_role("link", name="开始评审").click()
        e.page.get_by_role("button", name="查看建设方案并评分").click()
        for criterion, value in zip(("条件具备", "理念到位", "措施有力", "工作扎实"), (22, 21, 20 + i, 23), strict=True):
            e.page.get_by_label(fw(criterion)).fill(str(value))
        e.page.get_by_role("radio", name="建议批复", exact=True).check()
        e.page.get_by_label("评审意见").fill("方案定位清晰,措施具体可行,建议批复。")
        e.shot("score-form")
        if i == 0:
            e.assert_accessible()
        e.page.get_by_role("button", name=fw("提交评分(提交后锁定)")).click()
        expect(e.page.get_by_text("提交并锁定")).to_be_visible()
        e.shot("scored")
        e.close()

    # National staff approve with the 批复 text and number.
    n.page.goto(f"/applications/{application.pk}/")
    expect(n.page.get_by_text(fw("专家评分:已提交 3 份"))).to_be_visible()
    act(n, "批复", "approve", 批复意见="同意设立苏州市国家专利导航产业发展实验区。", 批复文号=f"国知办函管字〔{numbers.this_year()}〕88号")
    expect(n.page.get_by_text("同意设立苏州市国家专利导航产业发展实验区。")).to_be_visible()
    n.shot("approved")

    # The applicant and the province download the 批复.
    a.page.goto(f"/applications/{application.pk}/")
    a.shot("approved-seen-by-applicant")
    download_approval(a, application)
    p.page.goto(f"/applications/{application.pk}/")
    download_approval(p, application)
    p.shot("downloaded")


# ---- walk 2 -------------------------------------------------------------------------------------

def test_return_and_resubmit_walk(walkers, call, applicant, provincial):
    application = submitted_application(applicant, call)
    zone = str(application)

    p = walkers(provincial, "2-province")
    open_application(p, zone)
    act(p, "受理并开始审核", "start-review")
    act(p, "退回修改", "return", 退回理由及修改要求="请补充集成电路设计环节的企业名单,并核实研发投入数据。")

    a = walkers(applicant, "2-applicant")
    open_application(a, zone)
    timeline = a.page.get_by_role("list", name="办理记录")
    expect(timeline).to_contain_text(fw("请补充集成电路设计环节的企业名单,并核实研发投入数据。"))
    a.shot("returned-with-reasons")
    a.assert_accessible()
    a.page.get_by_role("link", name="编辑申报").click()
    a.page.get_by_role("link", name="上一年度产业指标").click()
    a.page.get_by_label(fw("企业研发投入(亿元)"), exact=True).fill("32.60")
    a.shot("edited")
    a.page.get_by_role("button", name="保存草稿").click()
    expect(a.page.get_by_role("status")).to_contain_text("已保存")
    submit(a, "确认重新报送")
    expect(a.page.get_by_text("第 2 版").first).to_be_visible()
    a.shot("resubmitted")

    p.page.goto("/")
    p.shot("queue-after-resubmission")
    open_application(p, zone)
    expect(p.page.get_by_text("以下为第 2 版报送内容")).to_be_visible()
    versions = p.page.get_by_role("region", name="报送版本").get_by_role("link")
    expect(versions).to_have_text(["第 1 版", "第 2 版"])
    p.shot("both-versions")
    assert Application.objects.get(pk=application.pk).current_version == 2
