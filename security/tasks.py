from celery import shared_task

from . import services


@shared_task
def end_expired_sessions() -> int:
    """Sessions past their idle or absolute limit end server-side even if their browser never asks again."""
    return services.end_expired_sessions()
