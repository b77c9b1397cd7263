"""Demo pipeline: walks demo applications through every stage with transitions.perform().

After this step each role sees real rows: 江苏 (user `province`) has one application submitted
(after a return, so it has two versions), one under review, one returned for revision and one
recommended, and its own provincial deadline ten days before the national one; the national office
has one in formal review (广东), one in expert review (湖北)
and one approved (四川, scored by the expert demo helper). Idempotent: each application replays
only the steps its log does not have yet.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, NAMES_EN
from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, Province
from applications.demo import DEMO_CALL_TITLE, fill_complete
from applications.models import Application, Call, ProvinceDeadline, end_of_day

from . import numbers
from .experts.demo import score_application_for_demo
from .guards import FORMAL_CHECKLIST
from .models import FormalReview
from .services import set_province_deadline
from .transitions import TransitionError, perform

# Extra demo applicants in 江苏 so that the provincial queue has one row per stage.
EXTRA_APPLICANTS = [
    ("applicant_nj", "南京市人民政府", "sub_provincial", "南京市", "320000"),
    ("applicant_wx", "无锡市人民政府", "prefecture", "无锡市", "320000"),
    ("applicant_cz", "常州市人民政府", "prefecture", "常州市", "320000"),
    ("applicant_nt", "南通市人民政府", "prefecture", "南通市", "320000"),
]

# The province's finding on each of the three materials (guide 四(四)2).
FINDINGS = {
    "plan_finding": "建设方案产业定位清晰,六项主要任务与年度计划衔接,目标可考核。",
    "evidence_finding": "证明材料齐全,统计数据与申报书一致,边界图清晰。",
    "commitment_finding": "承诺书经市政府签章,财政经费逐年落实,牵头部门和协调机制明确。",
}
RETURN = ("return_to_applicant", "provincial",
          "建设方案中年度目标与财政经费承诺不一致,请核对2027、2028年度经费安排并补充专利运营基金的出资说明。")
RECOMMEND = ("recommend", "provincial",
             "经初步审核,该实验区产业基础较好,申报条件符合指南要求,建设方案任务明确,同意推荐。")

# applicant organisation -> (industry, the steps to replay)
PLANS = {
    "南京市人民政府": ("智能电网装备", [
        ("submit", "applicant", ""), ("start_provincial_review", "provincial", ""), RETURN,
        ("resubmit", "applicant", "已按省局意见核对年度经费安排并补充基金出资说明。"),
    ]),
    "无锡市人民政府": ("物联网", [("submit", "applicant", ""), ("start_provincial_review", "provincial", "")]),
    "常州市人民政府": ("石墨烯新材料", [("submit", "applicant", ""), ("start_provincial_review", "provincial", ""),
                                  RETURN]),
    "南通市人民政府": ("海洋工程装备", [("submit", "applicant", ""), ("start_provincial_review", "provincial", ""),
                                  RECOMMEND]),
    "深圳市人民政府": ("移动通信", [("submit", "applicant", ""), ("start_provincial_review", "provincial", ""),
                               RECOMMEND, ("start_national_review", "national", "")]),
    "武汉东湖新技术开发区管理委员会": ("光电子信息", [
        ("submit", "applicant", ""), ("start_provincial_review", "provincial", ""), RECOMMEND,
        ("start_national_review", "national", ""), ("formal_review", "national", ""),
        ("send_to_experts", "national", "材料齐全,符合申报条件,提交专家论证。"),
    ]),
    "成都市人民政府": ("生物医药", [
        ("submit", "applicant", ""), ("start_provincial_review", "provincial", ""), RECOMMEND,
        ("start_national_review", "national", ""), ("formal_review", "national", ""),
        ("send_to_experts", "national", "材料齐全,符合申报条件,提交专家论证。"),
        ("scores", "national", ""),
        ("approve", "national", "经专家论证,该实验区条件具备、理念到位、措施有力、工作扎实,同意批复建设方案,"
                                "请省局指导成都市人民政府启动实验区建设工作。"),
    ]),
}
# Steps that are not transitions (they write no log entry).
NOT_LOGGED = {"formal_review", "scores"}


def _extra_applicants():
    User = get_user_model()
    for username, name, level, city, code in EXTRA_APPLICANTS:
        province = Province.objects.get(code=code)
        bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
        org, _ = Organisation.objects.update_or_create(
            kind=OrganisationKind.APPLICANT, name=name,
            defaults={"province": province, "level": level, "city": city, "parent": bureau,
                      "name_en": NAMES_EN.get(name, "")})
        user, created = User.objects.get_or_create(username=username, defaults={
            "display_name": f"{city[:2]}申报联系人", "role": Role.APPLICANT, "organisation": org,
            "email": f"{username}@demo.invalid"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()


def _actor(role, application):
    User = get_user_model()
    qs = User.objects.filter(role=role, is_active=True).order_by("pk")
    if role == Role.APPLICANT:
        qs = qs.filter(organisation=application.applicant)
    elif role == Role.PROVINCIAL:
        qs = qs.filter(organisation__kind=OrganisationKind.PROVINCIAL_BUREAU,
                       organisation__province=application.province)
    return qs.first()


def _walk(application, steps):
    done = application.log.count()
    logged = 0
    for name, role, opinion in steps:
        if name in NOT_LOGGED:
            if logged >= done:
                _side_step(name, application, _actor(role, application))
            continue
        logged += 1
        if logged <= done:
            continue
        actor = _actor(role, application)
        # The 批复 takes the national office's next free number, as the page proposes it.
        extra = {"document_number": numbers.proposed(numbers.issuer_of(actor))} if name == "approve" else {}
        if name in ("recommend", "decline"):
            extra = dict(FINDINGS)
        try:
            perform(application, actor, name, opinion, expected_state=application.state, extra=extra)
        except TransitionError:
            return False  # a guard stopped the walk (e.g. too few scores); left where it is
    return True


def _side_step(name, application, actor):
    if name == "formal_review":
        FormalReview.objects.update_or_create(
            application=application, version=application.current_version,
            defaults={"checklist": {key: True for key, _label in FORMAL_CHECKLIST}, "reviewer": actor,
                      "notes": "申报材料齐全;申报条件逐项核实无误;省局审核意见及政府签章承诺书已附。"})
    elif name == "scores":
        score_application_for_demo(application, application.call.min_scores)


@transaction.atomic
def seed_pipeline():
    _extra_applicants()
    call = Call.objects.get(title=DEMO_CALL_TITLE)
    for org_name, (industry, steps) in PLANS.items():
        org = Organisation.objects.get(kind=OrganisationKind.APPLICANT, name=org_name)
        application, _ = Application.objects.get_or_create(
            call=call, applicant=org, defaults={"province": org.province, "city": org.city})
        if application.is_editable and not application.log.exists():
            # The industry runs through the whole application: agency, policies, plan.
            fill_complete(application, _actor(Role.APPLICANT, application), industry=industry)
            Application.objects.filter(pk=application.pk).update(zone_name=f"{org.city}{industry}专利导航产业发展实验区")
            application.refresh_from_db()
        _walk(application, steps)
    _province_deadline(call)


def _province_deadline(call):
    """江苏 asks its cities for their materials ten days before the national deadline."""
    province = Province.objects.get(code="320000")
    if not ProvinceDeadline.objects.filter(call=call, province=province).exists():
        bureau_user = get_user_model().objects.filter(role=Role.PROVINCIAL, organisation__province=province).first()
        day = timezone.localtime(call.national_deadline).date() - timedelta(days=10)
        set_province_deadline(bureau_user, call, end_of_day(day))
