from django.db import models
from django.utils.translation import gettext_lazy as _


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已截止")
    ARCHIVED = "archived", _("已归档")


class ApplicationState(models.TextChoices):
    """Every state an application can be in. Transitions live in review/transitions.py."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送省局")
    WITHDRAWN = "withdrawn", _("已撤回")
    PROVINCIAL_REVIEW = "provincial_review", _("省局审核中")
    RETURNED = "returned", _("已退回修改")
    DECLINED = "declined", _("省局不予推荐")
    RECOMMENDED = "recommended", _("已推荐至国家局")
    NATIONAL_REVIEW = "national_review", _("国家局材料审核")
    RETURNED_TO_PROVINCE = "returned_to_province", _("已退回省局")
    REJECTED = "rejected", _("材料审核未通过")
    EXPERT_REVIEW = "expert_review", _("专家论证")
    APPROVED = "approved", _("已批复")
    NOT_APPROVED = "not_approved", _("未予批复")


class PolicyStatus(models.TextChoices):
    ISSUED = "issued", _("已出台")
    PLANNED = "planned", _("拟出台")


class EvidenceKind(models.TextChoices):
    BOUNDARY_MAP = "boundary_map", _("实验区范围边界图")
    OUTPUT_STATISTICS = "output_statistics", _("工业总产值统计证明")
    ENTERPRISE_LIST = "enterprise_list", _("入驻企业名录")
    PATENT_STATISTICS = "patent_statistics", _("专利拥有量统计证明")
    MANAGEMENT_AGENCY = "management_agency", _("专业化管理机构证明")
    SERVICE_AGENCY = "service_agency", _("专利运用公共服务机构证明")
    DEMO_PARK_CERTIFICATE = "demo_park_certificate", _("国家知识产权示范园区证明")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("与行业协会的合作协议")
    SIGNED_COMMITMENT = "signed_commitment", _("签章的实验区建设承诺书")
    OTHER = "other", _("其他证明材料")
