"""One row per thing a request or service wants done later (an e-mail, a rendering, a notice), written
in the same transaction as the change that causes it. Pending until the task that carries it out marks
it done; nothing else deletes or forgets it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "outbox-"


class Intent(models.Model):
    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # When the relay (next) hands it to the broker: at once, then again after a growing interval while
    # no task has reported it done (a message lost with the broker, a worker that never came).
    publish_after = models.DateTimeField(_("下次投递时间"))
    published_at = models.DateTimeField(_("最近投递时间"), null=True, blank=True)
    publications = models.PositiveIntegerField(_("投递次数"), default=0)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    failed = models.BooleanField(_("最终失败"), default=False)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("待办任务")
        verbose_name_plural = _("待办任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["publish_after"], condition=models.Q(done_at__isnull=True),
                                name="outbox_intent_pending")]

    def __str__(self):
        return f"{self.task}{self.args} #{self.pk}"

    @property
    def key(self) -> str:
        """The Celery task id of every message that carries this intent: duplicates share it."""
        return f"{KEY_PREFIX}{self.pk}"

    @property
    def pending(self) -> bool:
        return self.done_at is None


def intent_id(key) -> int | None:
    """The intent a task id belongs to; None for a task not published by the outbox."""
    if isinstance(key, str) and key.startswith(KEY_PREFIX) and key[len(KEY_PREFIX):].isdigit():
        return int(key[len(KEY_PREFIX):])
    return None
