"""/healthz: is the database reachable, is Redis reachable, does a Celery worker answer, and how old is
the oldest pending outbox intent (a backlog: the broker or the workers have been away).

Anyone (a load balancer, the compose healthcheck) learns only ok / not ok, by status and body. The
details name hosts and workers, so they are for monitoring that presents HEALTHZ_TOKEN
("Authorization: Bearer <token>").
"""

import hmac
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from outbox.queries import backlog

from .celery import app


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_redis():
    if not settings.REDIS_URL:
        return {"ok": False, "configured": False, "detail": "REDIS_URL not set; tasks run in-process"}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return {"ok": True, "configured": True}


def _check_worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process", "workers": []}
    # Only workers that consume this portal's queue count (other apps may share the broker).
    queues = app.control.inspect(timeout=1.0).active_queues() or {}
    workers = sorted(
        name for name, consumed in queues.items()
        if any(q.get("name") == settings.CELERY_TASK_DEFAULT_QUEUE for q in consumed or [])
    )
    return {"ok": bool(workers), "mode": "worker", "queue": settings.CELERY_TASK_DEFAULT_QUEUE, "workers": workers}


def _monitoring(request) -> bool:
    token = settings.HEALTHZ_TOKEN
    presented = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


@never_cache
def healthz(request):
    started = time.monotonic()
    report = {}
    for name, check in (("database", _check_database), ("redis", _check_redis), ("worker", _check_worker),
                        ("outbox", backlog)):
        try:
            report[name] = check()
        except Exception as exc:  # a health check reports failures; it never raises
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    essential = [report["database"]["ok"], report["worker"]["ok"]]
    if settings.REDIS_URL:
        essential.append(report["redis"]["ok"])
    report["ok"] = all(essential)
    report["seconds"] = round(time.monotonic() - started, 3)
    status = 200 if report["ok"] else 503
    if not _monitoring(request):
        return JsonResponse({"ok": report["ok"]}, status=status)
    return JsonResponse(report, status=status, json_dumps_params={"ensure_ascii": False})
