"""The demo call and its applications. Every step is idempotent."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Organisation

from .enums import ApplicationState, CallStatus, EvidenceKind, PolicyStatus
from .models import Application, Call, FundingCommitment, LocalPolicy, PlanYear
from .sections import PLAN_YEARS, current_evidence_kinds, required_evidence
from .uploads import store_evidence, store_policy_document

DEMO_CALL_TITLE = "2026年度国家专利导航产业发展实验区申报"
DEMO_INDUSTRY = "集成电路"

# Each demo city's long-distance code: its telephone numbers carry it.
AREA_CODES = {
    "北京市": "010", "上海市": "021", "天津市": "022", "重庆市": "023", "南京市": "025", "武汉市": "027",
    "成都市": "028", "西安市": "029", "广州市": "020", "深圳市": "0755", "杭州市": "0571", "苏州市": "0512",
    "无锡市": "0510", "常州市": "0519", "南通市": "0513", "青岛市": "0532", "济南市": "0531", "合肥市": "0551",
    "长沙市": "0731", "郑州市": "0371", "厦门市": "0592", "大连市": "0411", "佛山市": "0757",
}


def seed_call():
    now = timezone.localtime()
    deadline = timezone.make_aware(datetime.combine((now + timedelta(days=60)).date(), datetime.max.time()).replace(microsecond=0))
    call, _ = Call.objects.update_or_create(
        title=DEMO_CALL_TITLE,
        defaults={
            "title_en": f"{now.year} Call for National Patent Navigation Industrial Development Experimental Zones",
            "description_en": "About ten experimental zones within about five years.",
            "year": now.year,
            "opens_on": date(now.year, 1, 1) if now.month > 1 else now.date(),
            "national_deadline": deadline,
            "target_zones": 10,
            "status": CallStatus.OPEN,
            "description": "力争利用5年左右时间,建成10个左右国家专利导航产业发展实验区。",
        },
    )
    return call


# ---- small real files -------------------------------------------------------------------------

def demo_png(label: str = "boundary map") -> bytes:
    """A small real PNG: a framed map-like drawing."""
    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 309, 189), outline=(139, 26, 26), width=3)
    draw.polygon([(60, 40), (250, 50), (270, 150), (80, 165)], outline=(20, 90, 160), fill=(220, 235, 250))
    draw.text((20, 175), label[:40], fill="black")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_pdf(label: str = "document") -> bytes:
    """A small real one-page PDF."""
    image = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 555, 802), outline="black", width=2)
    draw.text((60, 60), label[:80], fill="black")
    for row in range(8):
        draw.line((60, 120 + row * 30, 535, 120 + row * 30), fill=(160, 160, 160))
    draw.ellipse((420, 680, 520, 780), outline=(200, 0, 0), width=4)  # the seal
    out = BytesIO()
    image.save(out, format="PDF", resolution=72)
    return out.getvalue()


def demo_upload(name: str, label: str) -> SimpleUploadedFile:
    if name.lower().endswith(".png"):
        return SimpleUploadedFile(name, demo_png(label), content_type="image/png")
    return SimpleUploadedFile(name, demo_pdf(label), content_type="application/pdf")


EVIDENCE_FILES = {
    EvidenceKind.BOUNDARY_MAP: ("实验区范围边界图.png", "zone boundary map"),
    EvidenceKind.OUTPUT_STATISTICS: ("工业总产值统计证明.pdf", "gross output statistics"),
    EvidenceKind.ENTERPRISE_LIST: ("入驻企业名录.pdf", "resident enterprises"),
    EvidenceKind.PATENT_STATISTICS: ("专利拥有量统计证明.pdf", "patent statistics"),
    EvidenceKind.MANAGEMENT_AGENCY: ("专业化管理机构批文.pdf", "management agency"),
    EvidenceKind.SERVICE_AGENCY: ("公共服务机构证明.pdf", "service agency"),
    EvidenceKind.DEMO_PARK_CERTIFICATE: ("示范园区证书.png", "demonstration park certificate"),
    EvidenceKind.COOPERATION_AGREEMENT: ("行业协会合作协议.pdf", "cooperation agreement"),
    EvidenceKind.SIGNED_COMMITMENT: ("实验区建设承诺书(签章).pdf", "signed commitment letter"),
}


# ---- filling an application -------------------------------------------------------------------

def phone_for(city: str) -> str:
    """A telephone number with the city's own area code (a national service number where the demo
    does not know the city)."""
    code = AREA_CODES.get(city)
    return f"{code}-{'6888' if len(code) == 4 else '8688'}0000" if code else "400-688-0000"


def complete_values(application, industry: str = DEMO_INDUSTRY) -> dict:
    """Every section's fields, with figures that meet every condition of 四(一); the agency, the
    policies and the plan speak of `industry`, the telephone numbers carry the city's area code."""
    org = application.applicant
    city = org.city or org.name[:3]
    year = application.call.year
    return {
        "zone_name": f"{city}国家专利导航产业发展实验区",
        "city": city,
        "host_park": f"{city}高新技术产业开发区",
        "is_demo_park": True,
        "demo_park_since": year - 3,
        "demo_park_justification": "",
        "zone_area_km2": Decimal("52.80"),
        "zone_scope": "东至环城东路,南至南湖大道,西至科技西路,北至滨江大道,四至边界清晰,相对集中。",
        "contact_name": "王明",
        "contact_title": "科技局知识产权处处长",
        "contact_phone": phone_for(city),
        "contact_email": "ipzone@example.gov.cn",
        "has_association": False,
        "association_name": "",
        "industry_name": industry,
        "management_agency_name": f"{city}{industry}产业发展促进中心",
        "management_agency_description": f"事业单位法人,负责实验区{industry}产业规划、专利导航与项目管理。",
        "figures_year": year - 1,
        "gross_output": Decimal("486.50"),
        "resident_enterprises": 312,
        "patents_per_10k": Decimal("38.60"),
        "industry_patents": 15820,
        "rd_spending": Decimal("31.20"),
        "patented_sales": Decimal("298.40"),
        "service_agency_name": f"{city}知识产权运营服务中心",
        "service_agency_staff": 26,
        "service_agency_head": "李华",
        "service_agency_head_background": "从事专利代理与运营工作十五年,主持多项产业专利导航项目。",
        "plan_situation": f"{industry}产业集聚度高,研发、制造、应用环节齐全,专利申请量年均增长20%。",
        "plan_problems": "高价值核心专利不足,专利运营能力薄弱,企业海外布局少。",
        "plan_positioning": f"建成国内领先的{industry}专利导航产业发展示范区。",
        "plan_path": "以专利导航分析引导产业布局,以专利运营促进技术转化。",
        "plan_goals": "五年内产业产值翻番,专利产品销售收入占比达到85%以上,研发投入占比高于5%。",
        "task_mechanism": "成立专利导航工作领导小组,建立专利分析与产业决策对接机制。",
        "task_network": "组建产业知识产权联盟,构建专利协同运用网络。",
        "task_projects": "设立专利储备运营基金,实施核心专利收储与许可项目。",
        "task_services": "培育专利运营服务机构,完善专利信息公共服务平台。",
        "task_enterprises": "实施企业知识产权管理规范贯标,培育知识产权优势企业。",
        "task_international": "支持企业开展海外专利布局,参与国际标准制定。",
        "plan_measures": "设立专项资金,落实税收优惠,加大人才引进力度。",
        "plan_safeguards": "市政府主要领导任组长,建立季度调度和年度考核机制。",
        "commitment_measures": "出台专利导航产业发展专项政策,每年安排专项经费支持实验区建设。",
        "lead_department": f"{city}知识产权局",
        "coordination_mechanism": "建立由发改、科技、工信、财政等部门参加的联席会议制度。",
        "leading_group_head": "张强",
        "leading_group_head_title": "副市长",
        "leading_group_members": "发改委、科技局、工信局、财政局、商务局、市场监管局",
    }


@transaction.atomic
def fill_complete(application, user, industry: str = DEMO_INDUSTRY):
    """Fill every section and upload every required evidence kind; safe to call again.

    Used by the demo seed and by other apps' tests to obtain a submittable application.
    """
    values = complete_values(application, industry)
    for field, value in values.items():
        setattr(application, field, value)
    application.save()
    if not application.policies.exists():
        policies = [
            (PolicyStatus.ISSUED, f"关于加快{industry}产业知识产权发展的若干意见", f"政发〔{application.call.year - 1}〕12号",
             date(application.call.year - 1, 6, 1)),
            (PolicyStatus.PLANNED, "专利导航产业发展实验区专项资金管理办法", "",
             date(application.call.year, 10, 1)),
        ]
        for status, title, number, issued_on in policies:
            policy = LocalPolicy(application=application, status=status, title=title, document_number=number,
                                 issued_on=issued_on)
            store_policy_document(policy, demo_upload(f"{title}.pdf", "local policy"))
            policy.save()
    first_year = application.call.year
    for i in range(PLAN_YEARS):
        PlanYear.objects.update_or_create(
            application=application, year=first_year + i,
            defaults={
                "milestones": f"第{i + 1}年:完成专利导航分析{i + 1}项,培育优势企业{5 * (i + 1)}家。",
                "output_target": Decimal("500") + Decimal("100") * i,
                "patented_sales_target": (Decimal("500") + Decimal("100") * i) * Decimal("0.85"),
                "rd_target": Decimal("30") + Decimal("6") * i,
                "patents_target": 16000 + 1500 * i,
            },
        )
        FundingCommitment.objects.update_or_create(
            application=application, year=first_year + i, defaults={"amount_wan": Decimal("2000.00")}
        )
    kinds = current_evidence_kinds(application)
    for kind in required_evidence(application):
        if kind not in kinds:
            name, label = EVIDENCE_FILES[kind]
            store_evidence(application, kind, demo_upload(name, label), user, title=str(EvidenceKind(kind).label))
    return application


def _applicant_user(org_name):
    return get_user_model().objects.filter(organisation__name=org_name, role="applicant").first()


def _application_for(call, org_name):
    org = Organisation.objects.get(kind="applicant", name=org_name)
    application, _ = Application.objects.get_or_create(
        call=call, applicant=org, defaults={"province": org.province, "city": org.city}
    )
    return application


def seed_applications():
    """One draft (苏州, partly filled) and one complete application ready to submit (青岛)."""
    call = Call.objects.get(title=DEMO_CALL_TITLE)
    draft = _application_for(call, "苏州市人民政府")
    if draft.state == ApplicationState.DRAFT:
        partial = {k: v for k, v in complete_values(draft).items() if k in {
            "zone_name", "city", "host_park", "zone_area_km2", "contact_name", "contact_phone", "contact_email",
            "industry_name", "gross_output", "resident_enterprises", "figures_year"}}
        partial.update({"zone_name": "苏州工业园区国家专利导航产业发展实验区", "host_park": "苏州工业园区",
                        "industry_name": "纳米技术应用", "gross_output": Decimal("29.99"),
                        "resident_enterprises": 40})
        for field, value in partial.items():
            setattr(draft, field, value)
        draft.save()
    ready = _application_for(call, "青岛市人民政府")
    if ready.is_editable:
        fill_complete(ready, _applicant_user("青岛市人民政府"))
