"""Helpers for the expert-review tests: applications brought to 专家论证 through the real pipeline."""

from decimal import Decimal

from accounts.enums import OrganisationKind, Role
from accounts.models import ExpertProfile, Organisation, Province
from review.experts import services as experts
from review.guards import FORMAL_CHECKLIST
from review.models import FormalReview
from review.transitions import perform
from tests.conftest import PASSWORD
from tests.factories import open_call, submitted_application
from tests.pipeline_support import FINDINGS

# Province code -> an applicant name there.
CITIES = {
    "320000": "苏州市人民政府",
    "440000": "深圳市人民政府",
    "420000": "武汉市人民政府",
    "510000": "成都市人民政府",
    "370000": "青岛市人民政府",
    "330000": "杭州市人民政府",
    "110000": "北京经济技术开发区管理委员会",
}


def _user(django_user_model, role, org, username):
    user = django_user_model.objects.filter(username=username).first()
    if user is None:
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, role=role, organisation=org, email=f"{username}@example.invalid")
    return user


def expert_review_application(django_user_model, national, province_code, call=None, name=None):
    """An application in EXPERT_REVIEW: submit → provincial review → recommend → formal review → experts."""
    call = call or open_call()
    province = Province.objects.get(code=province_code)
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
    org, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.APPLICANT, name=name or CITIES[province_code],
        defaults={"province": province, "level": "prefecture", "city": (name or CITIES[province_code])[:3],
                  "parent": bureau})
    applicant = _user(django_user_model, Role.APPLICANT, org, f"app-{org.pk}")
    provincial = _user(django_user_model, Role.PROVINCIAL, bureau, f"prov-{province_code}")
    application = submitted_application(applicant, call)
    perform(application, provincial, "start_provincial_review", expected_state=application.state)
    perform(application, provincial, "recommend", "同意推荐。", expected_state=application.state, extra=FINDINGS)
    perform(application, national, "start_national_review", expected_state=application.state)
    FormalReview.objects.create(application=application, version=application.current_version, reviewer=national,
                                checklist={key: True for key, _label in FORMAL_CHECKLIST})
    perform(application, national, "send_to_experts", expected_state=application.state)
    application.refresh_from_db()
    return application


def make_panel(make_expert, call, specs):
    """specs: (province code, institution) per expert; all join the call's panel."""
    panel = [make_expert(code, institution) for code, institution in specs]
    experts.set_panel(call, panel)
    return panel


def submit_score(assignment, values, recommendation="approve", comment="方案可行。"):
    criteria = experts.ensure_rubric(assignment.application.call)
    experts.record_opened(assignment)
    return experts.save_score(assignment, assignment.expert,
                              {c.pk: Decimal(str(v)) for c, v in zip(criteria, values, strict=True)},
                              recommendation, comment, final=True)


__all__ = ["ExpertProfile"]
