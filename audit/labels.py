"""How the audit pages and exports name actions, roles and object types (the records store codes)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

# Dotted action names (docs/security.md lists who writes each). Unknown names are shown as they are.
ACTION_LABELS = {
    "application.transition": _("申报状态变更"),
    "assignment.create": _("分配评审任务"),
    "assignment.withdraw": _("撤回评审任务"),
    "assignment.conflict_declared": _("申明回避"),
    "assignment.plan_opened": _("查看建设方案"),
    "score.submit": _("提交评分"),
    "score.reopen": _("重新开放评分"),
    "panel.change": _("调整评审专家组"),
    "rubric.change": _("修改评分标准"),
    "formal_review.save": _("填写材料审核清单"),
    "evidence.upload": _("上传证明材料"),
    "evidence.withdraw": _("撤回证明材料"),
    "file.download": _("下载文件"),
    "file.integrity_failed": _("文件完整性校验未通过"),
    "document.download": _("下载文书"),
    "export.expert_scores": _("导出专家评分汇总表"),
    "admin.add": _("后台新增"),
    "admin.change": _("后台修改"),
    "admin.delete": _("后台删除"),
    "access.denied": _("拒绝访问"),
    "audit.export": _("导出审计记录"),
    "audit.purge": _("清理过期审计记录"),
    "audit.verify": _("校验审计记录链"),
    "auth.login": _("登录"),
    "auth.logout": _("退出"),
    "auth.login_failed": _("登录失败"),
    "auth.lockout": _("账户锁定"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label else action


def role_choices() -> list[tuple[str, str]]:
    return list(get_user_model()._meta.get_field("role").choices)


def role_label(role: str) -> str:
    return str(dict(role_choices()).get(role, role))


def object_type_label(label_lower: str) -> str:
    if not label_lower:
        return ""
    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower
