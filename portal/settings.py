"""Settings read from the environment.

Defaults are safe for production (DEBUG off, secure cookies, HSTS); the run script and the
test settings relax them explicitly.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    # rest_framework is used as a library, not installed as an app: its zh_Hans catalogue would
    # override Django's own wording of every form error ("输入一个有效的 Email 地址。"), and the portal
    # renders only JSON (no browsable API templates or static files are needed).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "audit",
    "accounts",
    "security",
    "applications",
    "review",
    "notifications",
    "zones",
    "outbox",
    "documents",
    "api",
    "pagecache",
    "portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "portal.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "portal.middleware.ChinesePunctuationMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "security.middleware.SecondFactorMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.inbox",
                "security.context_processors.session_clock",
            ],
        },
    }
]

# Zero configuration: a SQLite file. Deployments and tests set DATABASE_URL (PostgreSQL).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.PortalModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "security.passwords.PolicyLengthValidator"},
    {"NAME": "security.passwords.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.passwords.PasswordHistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The security policy's defaults (GB/T 22239-2019 level 3, 身份鉴别). The 安全管理员 may set other
# values in the admin (security.models.SecurityPolicy); these apply while none is set.
SECURITY_PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
SECURITY_PASSWORD_MIN_CLASSES = int(os.environ.get("PASSWORD_MIN_CLASSES", "3"))
SECURITY_PASSWORD_HISTORY = int(os.environ.get("PASSWORD_HISTORY", "5"))
SECURITY_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
SECURITY_SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SECURITY_SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
SECURITY_LOCKOUT_FAILURES = int(os.environ.get("LOCKOUT_FAILURES", os.environ.get("AXES_FAILURE_LIMIT", "5")))
SECURITY_LOCKOUT_IP_FAILURES = int(os.environ.get("LOCKOUT_IP_FAILURES", "50"))
SECURITY_LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "30"))
SECURITY_MFA_FOR_APPLICANTS = env_bool("MFA_FOR_APPLICANTS", False)
# The warning shown before the idle time-out, and how long a form posted after its session ended is kept.
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", "300"))
KEPT_FORM_HOURS = int(os.environ.get("KEPT_FORM_HOURS", "24"))
# Sessions end by the policy above (security.middleware); the cookie outlives the longest session so
# that a form posted after a time-out still names its account and can be kept.
SESSION_COOKIE_AGE = 36 * 60 * 60
# Sessions are written to the database and read through the cache (Redis in production): every signed-in
# request reads its session, and ending one (security.services.end_session) deletes both copies.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
OTP_TOTP_ISSUER = "专利导航实验区申报平台"
OTP_TOTP_SYNC = True

# Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "files"))
# Uploaded files are never under a public URL; views stream them after a permission check.
MEDIA_URL = None

# Storage: local disk by default; S3-compatible object storage by configuration alone.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/not-public/"},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Licensed faces for official documents (e.g. the 方正 faces an office licenses): font files in this
# directory win over the free fallbacks (documents/fonts.py; `manage.py document_fonts` reports).
DOCUMENT_FONT_DIR = os.environ.get("DOCUMENT_FONT_DIR", str(BASE_DIR / "var" / "fonts"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Redis and Celery. Without REDIS_URL tasks run in-process (zero-configuration mode).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that then dies (SIGKILL, lost machine) stays unacknowledged in Redis and is
# delivered again once this many seconds have passed since it was taken; keep it above the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
                                   # an unreachable broker host must not hold a request for long
                                   "socket_connect_timeout": 3}
if os.environ.get("CELERY_BROKER_KEYPREFIX"):
    # Separate Redis keys (queues and the unacked index) for a run that must not meet any other.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_BROKER_KEYPREFIX"]
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "portal")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
    "end-expired-sessions": {
        "task": "security.tasks.end_expired_sessions",
        "schedule": 5 * 60,
    },
    "deadline-reminders": {
        "task": "review.tasks.send_deadline_reminders",
        "schedule": 6 * 60 * 60,
    },
    "zone-reminders": {
        "task": "zones.tasks.send_zone_reminders",
        "schedule": 6 * 60 * 60,
    },
    # Stored files still match the SHA-256 recorded at upload; the audit chain is unbroken.
    "verify-stored-files": {
        "task": "applications.tasks.verify_stored_files",
        "schedule": 24 * 60 * 60,
    },
    "verify-audit-chain": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": 24 * 60 * 60,
    },
}
# Zones (guide 五(二)、五(三)): a quarterly report is due this many days after its quarter ends (15: the
# 15th of the next month); a year's core indicators on this (month, day) of the next year.
ZONE_REPORT_DUE_DAYS = int(os.environ.get("ZONE_REPORT_DUE_DAYS", "15"))
ZONE_INDICATORS_DUE = (3, 31)
# The outbox (outbox/): work a request wants done later is a row written with the change; the relay
# publishes it on commit, and the sweep (beat, every worker start, `manage.py relay_outbox`) publishes
# what was left behind. A published intent not reported done is published again after this many
# seconds, doubling each time; /healthz reports a backlog once the oldest pending intent is older than
# OUTBOX_ALERT_AFTER.
OUTBOX_REPUBLISH_AFTER = int(os.environ.get("OUTBOX_REPUBLISH_AFTER", "600"))
OUTBOX_ALERT_AFTER = int(os.environ.get("OUTBOX_ALERT_AFTER", "900"))
OUTBOX_BROKER_RETRY = float(os.environ.get("OUTBOX_BROKER_RETRY", "5"))
# A document still queued or rendering after this many seconds is queued again by the sweep.
DOCUMENT_REQUEUE_AFTER = int(os.environ.get("DOCUMENT_REQUEUE_AFTER", "900"))
# A document still queued this long after it was asked for is reported as delayed: the page says so
# and the administrators are told once (documents.services.report_delays).
DOCUMENT_DELAY_SECONDS = int(os.environ.get("DOCUMENT_DELAY_SECONDS", "120"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}}
# Cached pages (pagecache): a user's rendered list and detail pages are served again while no table they
# were read from has changed, for at most this many seconds (a deadline that passes changes a page
# without a write). 0 renders every page every time. Off by default without Redis: a change seen in one
# process's memory would not reach the other processes' pages (portal.W001).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60" if REDIS_URL else "0"))

# E-mail. In development each message goes to a file under var/mail/ with a one-line note on stderr.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if not DEBUG else "portal.mail.DevelopmentEmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "专利导航实验区申报平台 <noreply@localhost>")

# The audit trail (安全审计). The chain key seals every record (HMAC-SHA256): set it once, keep it out of the
# database and never change it (records sealed under another key no longer verify). Without it the key is
# derived from SECRET_KEY. Records are kept at least 180 days (网络安全法 第二十一条).
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")
AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("AUDIT_RETENTION_DAYS", "180")))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("AUDIT_ARCHIVE_DIR", BASE_DIR / "var" / "audit-archives"))
# A refused CSRF check is a permission denial like any other: recorded.
CSRF_FAILURE_VIEW = "audit.views.csrf_failure"

# Security: on unless DEBUG is on or explicitly relaxed (tests over plain HTTP).
_secure = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = _secure
# The web container's healthcheck asks gunicorn directly over plain HTTP (it never leaves the container).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_HSTS_SECONDS = 31536000 if _secure else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
# The reverse proxy (nginx in docker-compose.yml) in front of gunicorn: its addresses or networks.
# Only requests from these may set X-Forwarded-Proto / X-Forwarded-For (portal.middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# The REST API (api/): tokens for systems, the session for the browser; errors as RFC 9457 problems.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerUserThrottle", "api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE_USER", "1200/min"),
                               "token": os.environ.get("API_RATE_TOKEN", "600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "国家专利导航产业发展实验区申报平台 API / Patent Navigation Zones portal API",
    "DESCRIPTION": (
        "与页面相同的查询、规则和流转\uff1a令牌代表其用户\uff0c权限与可见范围同页面\uff1b错误为 RFC 9457 问题详情。\n\n"
        "The same queries, rules and transitions as the pages: a token acts as its user, with that user's role "
        "and scope; errors are RFC 9457 problem details (application/problem+json)."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "applications.enums.CallStatus",
        "AssignmentStatusEnum": "review.enums.AssignmentStatus",
        "DocumentStatusEnum": "documents.enums.DocumentStatus",
        "ApplicationStateEnum": "applications.enums.ApplicationState",
        "ZoneStateEnum": "zones.enums.ZoneState",
        "ReportStateEnum": "zones.enums.ReportState",
        "RectificationStateEnum": "zones.enums.RectificationState",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problem_responses"],
}


# Lockout by account, and by client address only past a separate, higher limit (security/lockout.py).
AXES_HANDLER = "security.lockout.AccountFirstHandler"
AXES_FAILURE_LIMIT = "security.lockout.failure_limit"
AXES_COOLOFF_TIME = "security.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "audit.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ADMIN = False  # the lockouts are the 安全管理员's (security/admin.py)

# /healthz: anonymous callers learn only ok / not ok; the details need this token
# (header "Authorization: Bearer <token>").
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The periodic chain check logs the chain's head: a copy outside the database (verify_audit --expect).
    "loggers": {"audit": {"level": "INFO"}},
}
