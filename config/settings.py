"""Settings for onestop, read from the environment.

The embedded default (no environment at all) is a SQLite file under ``var/`` with development
keys derived from a fixed seed; production sets ``ONESTOP_ENV=production`` and must provide
``SECRET_KEY``, ``DATABASE_URL``, ``ONESTOP_DATA_KEYS`` and ``ONESTOP_INDEX_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONESTOP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("ONESTOP_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "onestop-development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "csp",
    "onestop.common",
    "onestop.audit",
    "onestop.identity",
    "onestop.parameters",
    "onestop.catalogue",
    "onestop.workflow",
    "onestop.notifications",
    "onestop.contributions",
    "onestop.applications",
    "onestop.supervision",
    "onestop.reviews",
    "onestop.dashboards",
    "onestop.quality",
    "onestop.exchange",
    "onestop.pensions",
    "onestop.unemployment",
    "onestop.portal",
    "onestop.simulators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "onestop.common.middleware.RequestContextMiddleware",
    # Errors under /api/ in the API's JSON shape, whatever answered them (404, 405...).
    "onestop.common.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads the body: bad multipart, oversized bodies.
    "onestop.common.middleware.RequestBoundaryMiddleware",
    # Journals 403s and 404s on object routes (capped per actor), alerts on bursts.
    "onestop.notifications.refusals.RefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onestop.identity.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "onestop.common.middleware.ServiceErrorMiddleware",
]

if PRODUCTION:
    # Static files straight from the application servers, compressed and cache-busted.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "onestop.identity.context_processors.roles",
                "onestop.portal.context_processors.display",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "ONESTOP_DB_PREPARE", True
    ):
        # psycopg's own defaults, which Django turns off: parameters bound by the server and
        # a statement prepared on a connection once it has run five times there, so the
        # daily reads' queries are parsed and planned once per connection instead of once
        # a request (about half the server's CPU of a read; docs/performance.md). Turn it
        # off (ONESTOP_DB_PREPARE=0) behind a pooler that cannot keep prepared statements
        # (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set in production.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "onestop.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                # Take the write lock at BEGIN, so concurrent writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["onestop.identity.auth.IdentifierBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "onestop.identity.passwords.CharacterClassValidator"},
]

# Login protection: lock after this many consecutive failures, for this long.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30"))
STAFF_IDLE_TIMEOUT_SECONDS = int(os.environ.get("STAFF_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "onestop")

# Personal-data encryption. ONESTOP_DATA_KEYS is "version:hexkey,version:hexkey" (16-byte SM4
# keys); ONESTOP_DATA_KEY_VERSION picks the one new data is written with. ONESTOP_INDEX_KEY is
# the HMAC-SM3 key of the blind index.
ONESTOP_DATA_KEYS = os.environ.get("ONESTOP_DATA_KEYS", "")
ONESTOP_DATA_KEY_VERSION = os.environ.get("ONESTOP_DATA_KEY_VERSION", "")
ONESTOP_INDEX_KEY = os.environ.get("ONESTOP_INDEX_KEY", "")
if PRODUCTION and not (ONESTOP_DATA_KEYS and ONESTOP_INDEX_KEY):
    raise ImproperlyConfigured("ONESTOP_DATA_KEYS and ONESTOP_INDEX_KEY must be set in production.")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "onestop_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "onestop.common.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Rate limits (onestop.common.throttles), kept in the cache above: "count/period" per scope.
ONESTOP_THROTTLE_RATES = {
    "lookup": "30/min",  # public case status and certificate verification, per address
    "login_address": "60/10min",  # sign-in attempts per client address (offices share one)
    "login_account": "10/10min",  # sign-in attempts per identifier, whatever the address
    # Authenticated API calls per bearer token, or per user of a browser session: ten a
    # second sustained, well above a person or a payroll system, well below a scraper.
    "token": "600/min",
}
for _pair in env_list("ONESTOP_THROTTLE_RATES"):
    _scope, _equals, _rate = _pair.partition("=")
    ONESTOP_THROTTLE_RATES[_scope.strip()] = _rate.strip()

# Background work: in-process unless a broker is configured.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# Declaration files above this size are checked and posted by a background job with a
# progress bar; smaller ones within the request (about a second; docs/performance.md).
ONESTOP_DECLARATION_SYNC_BYTES = int(os.environ.get("ONESTOP_DECLARATION_SYNC_BYTES", "16384"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Payments reported by the collecting authority; bills left in the outbox.
    "collection-sync": {"task": "contributions.collection_sync", "schedule": 300.0},
    # Once a day: credit interest as soon as a year's book rate is published (idempotent).
    "interest-catch-up": {"task": "contributions.interest_catch_up", "schedule": 86400.0},
    # The time-limit clock: yellow and red warnings, escalation (idempotent per step).
    "supervision-clock": {"task": "supervision.clock", "schedule": 3600.0},
    # Open case steps nobody can act on: listed to the supervisors in scope (daily).
    "supervision-ownership": {"task": "supervision.ownership", "schedule": 86400.0},
    # Pensioners against the death registrations (D8 art. 26); daily, idempotent.
    "entitlement-check": {"task": "pensions.entitlement_check", "schedule": 86400.0},
    # People reaching their statutory retirement month within three months (once each).
    "retirement-notices": {"task": "pensions.retirement_notices", "schedule": 86400.0},
    # Individual payers: employed with pension -> ended, base reset, period bills (daily).
    "individual-payers": {"task": "contributions.individual_payers_daily", "schedule": 86400.0},
    # Unemployment registrations of people employed again on record (daily, idempotent).
    "reemployment-check": {"task": "unemployment.reemployment_check", "schedule": 86400.0},
    # The dashboards' monthly figures: the last three months and this one (idempotent).
    "dashboards-rollup": {"task": "dashboards.rollup", "schedule": 86400.0},
    # A signed checkpoint of the journal's head, kept outside the database (file, witness).
    "journal-checkpoint": {
        "task": "exchange.journal_checkpoint",
        "schedule": float(os.environ.get("ONESTOP_CHECKPOINT_INTERVAL", "3600")),
    },
    # Outbox messages to other departments not acknowledged yet, whose retry is due.
    "outbox-retry": {"task": "exchange.outbox_retry", "schedule": 300.0},
    # The data-quality rules over every record (and the registries when configured).
    "quality-scan": {"task": "quality.scan", "schedule": 86400.0},
}

# Each task goes to a named queue so that a province sizes workers per kind of work, e.g.
# `celery -A config worker -Q posting,payroll` on one host and `-Q notifications,exchange` on
# another (docs/deployment.md). Tasks are acknowledged after they ran (acks late) and given
# back when a worker dies, so a task cut off by a crash runs again; every task is idempotent.
ONESTOP_CELERY_QUEUES = ["posting", "payroll", "notifications", "exchange", "periodic"]
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {
    "contributions.collection_sync": {"queue": "exchange"},
    "contributions.interest_catch_up": {"queue": "posting"},
    "contributions.*": {"queue": "posting"},
    "pensions.*": {"queue": "payroll"},
    "unemployment.*": {"queue": "payroll"},
    "notifications.*": {"queue": "notifications"},
    "exchange.*": {"queue": "exchange"},
    "supervision.*": {"queue": "periodic"},
    "dashboards.*": {"queue": "periodic"},
    "quality.*": {"queue": "periodic"},
    "audit.*": {"queue": "periodic"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged task back after this many seconds: longer than any task runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# ONESTOP_BEAT_EVERY=N runs every periodic job each N seconds (integration tests, drills).
if os.environ.get("ONESTOP_BEAT_EVERY"):
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = float(os.environ["ONESTOP_BEAT_EVERY"])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
# A refused form in the platform's page and the reader's language, offering a reload.
CSRF_FAILURE_VIEW = "onestop.common.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and everything else from this site
# only: no inline scripts or event handlers, no eval, no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a reverse proxy the client address is the hop it appended to X-Forwarded-For.
    USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", True)
else:
    USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)
# How many proxies in front of the platform append to X-Forwarded-For: the client address is
# that many hops from the right (0: REMOTE_ADDR). USE_X_FORWARDED_FOR alone means one.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1" if USE_X_FORWARDED_FOR else "0"))

# Ed25519 key that signs e-certificates: 64 hex characters (32 raw bytes). Required in
# production; development derives one from SECRET_KEY.
ONESTOP_SIGNING_KEY = os.environ.get("ONESTOP_SIGNING_KEY", "")
if PRODUCTION and not ONESTOP_SIGNING_KEY:
    raise ImproperlyConfigured("ONESTOP_SIGNING_KEY must be set in production.")
# SM2 (with SM3) instead of Ed25519 for new signatures: ONESTOP_SIGNING_ALGORITHM=sm2 and
# its own 32-byte key. Documents say which algorithm signed them, so both keep verifying.
ONESTOP_SIGNING_ALGORITHM = os.environ.get("ONESTOP_SIGNING_ALGORITHM", "ed25519")
ONESTOP_SM2_SIGNING_KEY = os.environ.get("ONESTOP_SM2_SIGNING_KEY", "")
if PRODUCTION and ONESTOP_SIGNING_ALGORITHM == "sm2" and not ONESTOP_SM2_SIGNING_KEY:
    raise ImproperlyConfigured("ONESTOP_SM2_SIGNING_KEY must be set to sign with SM2.")

# PAdES signatures on the PDFs (exchange/pdf_signing.py): PEM files of the signing key, its
# certificate and the chain up to the root (e.g. from the government CA). Without them the
# platform signs with a self-issued chain derived from SECRET_KEY (development, demo).
ONESTOP_PDF_SIGNING_KEY = os.environ.get("ONESTOP_PDF_SIGNING_KEY", "")
ONESTOP_PDF_SIGNING_CERT = os.environ.get("ONESTOP_PDF_SIGNING_CERT", "")
ONESTOP_PDF_SIGNING_CHAIN = os.environ.get("ONESTOP_PDF_SIGNING_CHAIN", "")
# CRL files (PEM or DER) of the CA that issued the signing certificate, comma-separated: a
# PDF signed with a certificate they list is refused.
ONESTOP_PDF_CRLS = [p for p in os.environ.get("ONESTOP_PDF_CRLS", "").split(",") if p]
# An RFC 3161 timestamping service for those signatures (PAdES B-T); off when empty.
ONESTOP_PDF_TIMESTAMP_URL = os.environ.get("ONESTOP_PDF_TIMESTAMP_URL", "")
# TrueType fonts the PDFs embed, the BMP font first (exchange/pdf_fonts.py): comma-separated
# paths; by default the Hanazono fonts of the Debian package fonts-hanazono.
ONESTOP_PDF_FONTS = [p for p in os.environ.get("ONESTOP_PDF_FONTS", "").split(",") if p]

# The collecting authority (tax): bills out, payments in. The demo starts a local simulator.
ONESTOP_TAX_URL = os.environ.get("ONESTOP_TAX_URL", "")
ONESTOP_TAX_KEY = os.environ.get("ONESTOP_TAX_KEY", "")

# The other departments' registries behind the data-sharing gateway (one base URL; the
# demo starts a simulator). Without it, certificate-free handling falls back to uploads.
ONESTOP_REGISTRY_URL = os.environ.get("ONESTOP_REGISTRY_URL", "")
ONESTOP_REGISTRY_KEY = os.environ.get("ONESTOP_REGISTRY_KEY", "")
# One department's own endpoint and key, where they differ: "civil_affairs=https://...;..."
ONESTOP_REGISTRY_URLS = os.environ.get("ONESTOP_REGISTRY_URLS", "")
ONESTOP_REGISTRY_KEYS = os.environ.get("ONESTOP_REGISTRY_KEYS", "")

# The province this platform serves (GB/T 2260 code), and the national transfer hub through
# which other provinces' pension systems are reached (the demo's registry simulator plays it).
ONESTOP_PROVINCE = os.environ.get("ONESTOP_PROVINCE", "610000")
ONESTOP_TRANSFER_HUB_URL = os.environ.get("ONESTOP_TRANSFER_HUB_URL", "")

# Journal checkpoints: the folder they are written to (default VAR_DIR/checkpoints) and the
# department whose registry endpoint witnesses them (empty: files only).
ONESTOP_CHECKPOINT_DIR = os.environ.get("ONESTOP_CHECKPOINT_DIR", "")
ONESTOP_CHECKPOINT_WITNESS = os.environ.get("ONESTOP_CHECKPOINT_WITNESS", "")

# Refused requests: journaled one by one up to the cap per actor and window, then counted; the
# security administrator is alerted when one actor reaches the threshold within a window.
ONESTOP_REFUSAL_WINDOW_SECONDS = int(os.environ.get("ONESTOP_REFUSAL_WINDOW_SECONDS", "600"))
ONESTOP_REFUSAL_JOURNAL_CAP = int(os.environ.get("ONESTOP_REFUSAL_JOURNAL_CAP", "30"))
ONESTOP_REFUSAL_ALERT_THRESHOLD = int(os.environ.get("ONESTOP_REFUSAL_ALERT_THRESHOLD", "10"))

# SMS: a class with ``send(*, phone, text) -> message id``; the default only logs.
ONESTOP_SMS_GATEWAY = os.environ.get("ONESTOP_SMS_GATEWAY", "")
# Time-limit warnings: yellow once this share of a step's or case's limit has elapsed.
ONESTOP_YELLOW_SHARE = float(os.environ.get("ONESTOP_YELLOW_SHARE", "0.75"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # pyHanko logs every refused signature (anyone can upload a forged file) with a traceback
    # at WARNING; the verification answers the reason, so only its errors are logged here.
    "loggers": {
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# onestop.common.pagination.BoundedPagination is the one in use; this bounds any other.
NINJA_PAGINATION_MAX_LIMIT = 500
