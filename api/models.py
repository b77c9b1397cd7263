"""Per-user API tokens. Only a SHA-256 digest of the secret is stored; the secret is shown once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A credential for a system acting as its user, with exactly that user's role and scope.

    The secret reads `pt_<prefix>_<random>`: the prefix finds the row, the digest of the whole
    secret proves it. A read-only token may only read (GET, HEAD, OPTIONS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    read_only = models.BooleanField(_("只读"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name} (pt_{self.prefix}_…)"

    @property
    def active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
