"""What monitoring reads about the outbox."""

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from .models import Intent


def backlog() -> dict:
    """How many intents are pending and how old the oldest is (seconds). `ok` turns false once the
    oldest waits longer than OUTBOX_ALERT_AFTER: work is being held back."""
    found = Intent.objects.filter(done_at__isnull=True).aggregate(n=Count("pk"), oldest=Min("created_at"))
    age = (timezone.now() - found["oldest"]).total_seconds() if found["oldest"] else 0.0
    failed = Intent.objects.filter(failed=True).count()
    return {"ok": age <= settings.OUTBOX_ALERT_AFTER, "pending": found["n"], "oldest_pending_seconds": round(age, 1),
            "failed": failed}
