"""One row per security-relevant event: who (actor, role, organisation, client address), what
(action, object), when, and whether it succeeded or was refused and why.

Records form one hash chain (audit.chain): `sequence` numbers them without gaps, `previous_hash` is
the seal of the record before and `record_hash` seals this record's fields together with it. On
PostgreSQL a trigger refuses UPDATE and DELETE (the purge of records older than the retention period
excepted) and the serving database role holds only SELECT and INSERT on the table."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.models import AppendOnlyError


class Result(models.TextChoices):
    SUCCESS = "success", _("成功")
    REFUSED = "refused", _("拒绝")


class AuditRecord(models.Model):
    # Set by audit.chain.append from the database clock while the chain is locked, so that time and
    # sequence always agree (and the sealed value is exactly the stored one).
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    sequence = models.PositiveBigIntegerField(_("序号"), unique=True)
    previous_hash = models.CharField(_("前一记录摘要"), max_length=64)
    record_hash = models.CharField(_("记录摘要"), max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=16, blank=True)
    actor_organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    action = models.CharField(_("事件"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    reason = models.TextField(_("原因"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "created_at"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit records are never deleted.")
