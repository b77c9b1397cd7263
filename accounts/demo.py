"""Demo organisations and one account per role. Idempotent."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .enums import OrganisationKind, Role
from .models import ExpertProfile, Organisation, Province

DEMO_PASSWORD = "Demo-2026-portal"

# province code, applicant name, level, city
APPLICANTS = [
    ("320000", "苏州市人民政府", "prefecture", "苏州市"),
    ("440000", "深圳市人民政府", "sub_provincial", "深圳市"),
    ("420000", "武汉东湖新技术开发区管理委员会", "park_committee", "武汉市"),
    ("510000", "成都市人民政府", "sub_provincial", "成都市"),
    ("370000", "青岛市人民政府", "sub_provincial", "青岛市"),
]

# English names of the demo organisations (shown on English pages).
NAMES_EN = {
    "苏州市人民政府": "Suzhou Municipal People's Government",
    "深圳市人民政府": "Shenzhen Municipal People's Government",
    "武汉东湖新技术开发区管理委员会": "Administrative Committee of Wuhan East Lake High-tech Development Zone",
    "成都市人民政府": "Chengdu Municipal People's Government",
    "青岛市人民政府": "Qingdao Municipal People's Government",
    "南京市人民政府": "Nanjing Municipal People's Government",
    "无锡市人民政府": "Wuxi Municipal People's Government",
    "常州市人民政府": "Changzhou Municipal People's Government",
    "南通市人民政府": "Nantong Municipal People's Government",
    "中国科学院科技战略咨询研究院": "Institutes of Science and Development, Chinese Academy of Sciences",
    "上海交通大学": "Shanghai Jiao Tong University",
    "浙江大学": "Zhejiang University",
    "西安交通大学": "Xi'an Jiaotong University",
    "重庆大学": "Chongqing University",
    "大连理工大学": "Dalian University of Technology",
    "中南大学": "Central South University",
    "厦门大学": "Xiamen University",
}

# username, display name, role, organisation lookup
ACCOUNTS = [
    ("applicant", "苏州申报联系人", Role.APPLICANT, ("applicant", "苏州市人民政府")),
    ("applicant_sz", "深圳申报联系人", Role.APPLICANT, ("applicant", "深圳市人民政府")),
    ("applicant_wh", "武汉申报联系人", Role.APPLICANT, ("applicant", "武汉东湖新技术开发区管理委员会")),
    ("applicant_cd", "成都申报联系人", Role.APPLICANT, ("applicant", "成都市人民政府")),
    ("applicant_qd", "青岛申报联系人", Role.APPLICANT, ("applicant", "青岛市人民政府")),
    ("province", "江苏省局审核员", Role.PROVINCIAL, ("provincial", "江苏省知识产权局")),
    ("province_gd", "广东省局审核员", Role.PROVINCIAL, ("provincial", "广东省知识产权局")),
    ("province_hb", "湖北省局审核员", Role.PROVINCIAL, ("provincial", "湖北省知识产权局")),
    ("province_sc", "四川省局审核员", Role.PROVINCIAL, ("provincial", "四川省知识产权局")),
    ("province_sd", "山东省局审核员", Role.PROVINCIAL, ("provincial", "山东省知识产权局")),
    ("national", "国家局工作人员", Role.NATIONAL, ("national", "国家知识产权局专利管理司")),
    ("admin", "系统管理员", Role.ADMIN, ("national", "国家知识产权局专利管理司")),
    ("security", "安全管理员", Role.SECURITY_ADMIN, ("national", "国家知识产权局专利管理司")),
    ("auditor", "审计管理员", Role.AUDIT_ADMIN, ("national", "国家知识产权局专利管理司")),
]

# username, name, home province code, institution, field
EXPERTS = [
    ("expert", "王专家", "110000", "中国科学院科技战略咨询研究院", "产业经济"),
    ("expert2", "李专家", "310000", "上海交通大学", "专利分析"),
    ("expert3", "张专家", "330000", "浙江大学", "知识产权管理"),
    ("expert4", "刘专家", "610000", "西安交通大学", "专利运营"),
    ("expert5", "陈专家", "500000", "重庆大学", "产业规划"),
    ("expert6", "杨专家", "210000", "大连理工大学", "专利信息"),
    ("expert7", "赵专家", "430000", "中南大学", "技术转移"),
    ("expert8", "黄专家", "350000", "厦门大学", "知识产权法"),
]


@transaction.atomic
def seed_accounts(stdout=None):
    User = get_user_model()
    for code, name, level, city in APPLICANTS:
        province = Province.objects.get(code=code)
        bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
        Organisation.objects.update_or_create(
            kind=OrganisationKind.APPLICANT, name=name,
            defaults={"province": province, "level": level, "city": city, "parent": bureau,
                      "name_en": NAMES_EN.get(name, "")},
        )
    for username, display, role, (kind, org_name) in ACCOUNTS:
        org = Organisation.objects.get(kind=kind, name=org_name)
        # 三员分立: administrators act through their roles; none is a superuser (that account exists only
        # for createsuperuser-style emergencies).
        _user(User, username, display, role, org, is_staff=role in (Role.ADMIN, Role.SECURITY_ADMIN))
    for username, display, code, institution, field in EXPERTS:
        province = Province.objects.get(code=code)
        org, _ = Organisation.objects.update_or_create(
            kind=OrganisationKind.INSTITUTION, name=institution,
            defaults={"province": province, "name_en": NAMES_EN.get(institution, "")}
        )
        user = _user(User, username, display, Role.EXPERT, org)
        ExpertProfile.objects.update_or_create(
            user=user, defaults={"home_province": province, "field": field, "title": "教授"}
        )


def _user(User, username, display, role, org, is_staff=False, is_superuser=False):
    user, created = User.objects.get_or_create(username=username)
    user.display_name = display
    user.role = role
    user.organisation = org
    user.email = f"{username}@demo.invalid"
    user.is_staff = is_staff
    user.is_superuser = is_superuser
    user.is_active = True
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user
