from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from outbox.tasks import IntentTask

from .messages import text
from .models import Notification


@shared_task(bind=True, base=IntentTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5,
             acks_late=True, ignore_result=True)
def email_notifications(self, notification_ids):
    """Queued by services.notify through the outbox. A notification already e-mailed is skipped, so a
    redelivered message sends nothing twice."""
    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient"):
        # E-mail goes out in the portal's language (users keep no language of their own).
        message = text(n, settings.LANGUAGE_CODE)
        send_mail(message.subject[:200], f"{message.body}\n\n{n.url}", settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
