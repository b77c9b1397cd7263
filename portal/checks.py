"""Deployment checks of the portal's own (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

SHARED_CACHE_WARNING = "portal.W001"


@register(Tags.caches, deploy=True)
def cache_is_shared(app_configs, **kwargs):
    """Sessions, the security policy, second-factor devices, unread counts, the signed-in user and cached
    pages are read through the cache and dropped from it when they change (docs/architecture.md). A cache of one process's memory would
    drop them in that process only: a deployment must share one (REDIS_URL)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("LocMemCache"):
        return [Warning("The cache is each process's own memory: a change to a session, the security policy, "
                        "a second-factor device, a user or a cached page's rows would reach only the process "
                        "that made it.",
                        hint="Set REDIS_URL (the cache and Celery's broker).", id=SHARED_CACHE_WARNING)]
    return []
