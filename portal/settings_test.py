"""Test settings: PostgreSQL and Redis on this machine unless the environment says otherwise."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Each test process has its own queue so that concurrent runs never take each other's tasks.
os.environ.setdefault("CELERY_QUEUE", f"portal-test-{os.getpid()}")

from .settings import *  # noqa: E402,F403

# Tasks run inline unless a test starts a real worker (tests/conftest.py: celery_worker); a worker that a
# test starts in its own process may publish through the broker like production (TEST_TASKS_INLINE=0).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_TASKS_INLINE", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker in its own process writes its mail to files the test can count (TEST_EMAIL_FILE_PATH).
EMAIL_BACKEND = ("django.core.mail.backends.filebased.EmailBackend" if os.environ.get("TEST_EMAIL_FILE_PATH")
                 else "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("TEST_EMAIL_FILE_PATH", "")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="portal-test-files-")
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/not-public/"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The live server's media handler needs a string; a URL on another host means it serves nothing
# (uploads stay reachable only through the views' permission checks, as in production).
MEDIA_URL = "http://media.invalid/"
