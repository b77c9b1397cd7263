from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def email_notifications(self, notification_ids):
    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient"):
        send_mail(n.subject, f"{n.body}\n\n{n.url}", settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
