"""The abstract append-only log every workflow writes one entry to per transition."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyLog(models.Model):
    """One entry per state change. Append-only: updates and deletes are refused here and, on
    PostgreSQL, by a trigger (`workflow.db.append_only`). A concrete log adds the foreign key to its
    subject and overrides `from_state`/`to_state` with its states as choices."""

    transition = models.CharField(_("操作"), max_length=48)
    from_state = models.CharField(_("原状态"), max_length=32)
    to_state = models.CharField(_("新状态"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.ForeignKey("accounts.Organisation", null=True, on_delete=models.PROTECT,
                                           related_name="+")
    actor_role = models.CharField(_("角色"), max_length=16)
    opinion = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} entries are never deleted.")
