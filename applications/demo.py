"""The demo call. Applications are added by later steps of seed_demo."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from .enums import CallStatus
from .models import Call

DEMO_CALL_TITLE = "2026年度国家专利导航产业发展实验区申报"


def seed_call():
    now = timezone.localtime()
    deadline = timezone.make_aware(datetime.combine((now + timedelta(days=60)).date(), datetime.max.time()).replace(microsecond=0))
    call, _ = Call.objects.update_or_create(
        title=DEMO_CALL_TITLE,
        defaults={
            "year": now.year,
            "opens_on": date(now.year, 1, 1) if now.month > 1 else now.date(),
            "national_deadline": deadline,
            "target_zones": 10,
            "status": CallStatus.OPEN,
            "description": "力争利用5年左右时间,建成10个左右国家专利导航产业发展实验区。",
        },
    )
    return call
