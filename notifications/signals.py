"""A notification saved or deleted one at a time (mark_read, the admin) drops its recipient's cached
unread count; the bulk writes in notifications.services drop it themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Notification
from .queries import forget_unread


@receiver(post_save, sender=Notification, dispatch_uid="notifications.saved")
@receiver(post_delete, sender=Notification, dispatch_uid="notifications.deleted")
def notification_changed(sender, instance, **kwargs):
    forget_unread([instance.recipient_id])
