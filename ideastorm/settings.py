"""IdeaStorm settings, driven by environment variables (see .env.example)."""

import hashlib
import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from core.logging import LOG_FORMATS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IDEASTORM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEV_SECRET_KEY = "django-insecure-ideastorm-dev-only-key-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    """Read a true/false variable; fail loudly on anything else (healthchecks' envbool)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_positive_float(name: str, default: float, unit: str = "days") -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a positive number of {unit}, not {raw!r}.")
    return value


def env_positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number from 1, not {raw!r}.")
    return int(raw)


def env_networks(name: str) -> tuple:
    """Comma-separated networks ("10.0.0.0/8,fd00::/8"); host bits set or junk fail loudly."""
    networks = []
    for item in os.environ.get(name, "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip()))
            except ValueError as error:
                raise ImproperlyConfigured(
                    f"{name} must be comma-separated networks such as 10.0.0.0/8, "
                    f"not {item.strip()!r}: {error}."
                ) from None
    return tuple(networks)


DEBUG = env_bool("DJANGO_DEBUG", False)
# The key comes from DJANGO_SECRET_KEY, else from var/secret_key (made by `make install`),
# else, only with DEBUG on, the dev key.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY and (VAR_DIR / "secret_key").exists():
    SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEV_SECRET_KEY
if not DEBUG and SECRET_KEY in ("", DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set (or is the dev-only key) and DJANGO_DEBUG is off. "
        "Set DJANGO_SECRET_KEY to a long random value, run `make install` to create "
        "var/secret_key, or set DJANGO_DEBUG=true for local development."
    )
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    # Single sign-on: allauth's social accounts only (its own log-in and sign-up pages are not
    # routed); the OpenID Connect provider serves any issuer and the Google and Microsoft presets.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.github",
    "core",
    "board",
    "accounts",
    "ideas",
    "votes",
    "comments",
    "changelog",
    "notifications",
    "moderation",
    "storms",
    "pm",
    "webhooks",
    "actions",
    "web",
    "demo",
]

MIDDLEWARE = [
    # First: every response gets an X-Request-ID and every request is timed for /metrics.
    "core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each login session's last activity, and its record following a new session key.
    "web.accounts.middleware.LoginSessionMiddleware",
    "web.middleware.BanMiddleware",
    # Switched-off features (Storm Sessions) and a members-only board (web.board.middleware).
    "web.board.middleware.BoardFeaturesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the view's bare 405 first: the site's page for a wrong method.
    "web.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "ideastorm.urls"
WSGI_APPLICATION = "ideastorm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
                "web.board.context_processors.board",
                "web.accounts.sso.context_processors.sso",
                "web.context_processors.demo",
                # Last: while a member's page is rendered for the shared cache, the CSRF token
                # and the username are markers (web/skeleton.py).
                "web.skeleton.context",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, otherwise an embedded SQLite file in var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
        # Behind a pooler in transaction mode (PgBouncer pool_mode=transaction) consecutive
        # transactions may run on different server connections, so nothing may rely on session
        # state: no server-side cursors (Django's own switch), no SQL PREPARE on the vote path
        # (votes.services); job locks are lease rows anyway (core.jobs).
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_TRANSACTION_POOLING
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ideastorm.sqlite3",
            "OPTIONS": {
                # Gunicorn workers and the Celery worker write at once: WAL lets readers go on
                # while one writes, IMMEDIATE takes the write lock up front (no upgrade
                # deadlock), and the timeout waits for it instead of "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and cache when REDIS_URL is set. Short socket timeouts so a dead or
# frozen Redis never hangs a request.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
REDIS_SOCKET_TIMEOUT = 1.0
# Every cache key starts with the site's prefix: two boards sharing one Redis database never
# read each other's pages, counts or cards. IDEASTORM_CACHE_PREFIX names it; by default it is
# drawn from the database the board uses (its host, port and name), which two boards never share.
_db = DATABASES["default"]
CACHE_KEY_PREFIX = (
    os.environ.get("IDEASTORM_CACHE_PREFIX", "").strip()
    or hashlib.sha256(
        f"{_db.get('HOST', '')}:{_db.get('PORT', '')}/{_db['NAME']}".encode()
    ).hexdigest()[:12]
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ideastorm.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# ModelBackend that refuses a username locked after too many failed passwords (accounts.lockout);
# it covers the log-in page, the admin and the API token endpoint alike.
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploads (the board's logo): files in var/media served by web.board.views.media, or an
# S3-compatible bucket through django-storages (`pip install -e '.[s3]'`, README "Board
# settings"); the bucket's credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
S3_BUCKET = os.environ.get("IDEASTORM_S3_BUCKET", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Content-hashed names (site.4f2a9c1e.css) from collectstatic's manifest, gzip and Brotli
    # copies beside them: a browser keeps a hashed file for good (WhiteNoise and deploy/nginx.conf
    # send it as immutable) and a release's new file has a new name. `make run`, the Dockerfile
    # and deploy/systemd run collectstatic; with DEBUG on, {% static %} uses the plain names.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("IDEASTORM_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("IDEASTORM_S3_REGION", "").strip() or None,
            "custom_domain": os.environ.get("IDEASTORM_S3_CUSTOM_DOMAIN", "").strip() or None,
            "querystring_auth": False,  # public objects: the logo is on every page
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# With DEBUG on, straight from the finders (no collectstatic while editing CSS); otherwise the
# collected files only. WhiteNoise marks a hashed name immutable with a 10-year max-age.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# The plain names stay too, cached for a minute only: the 500 page falls back to them when the
# manifest can't be read, and a link from outside (a bookmarked stylesheet) keeps working.
WHITENOISE_KEEP_ONLY_HASHED_FILES = False

HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site's 403 page (for htmx, its message at the top of the page) instead of Django's.
CSRF_FAILURE_VIEW = "core.api_errors.csrf_failure"
# Database sessions, read in one plain statement (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    # TLS ends at the reverse proxy, which must set (and overwrite any client-sent)
    # X-Forwarded-Proto: https; without one in front, this header would be the client's word.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP and read the status, not a redirect.
    # Load balancers and Prometheus ask the nodes over the private network, in plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp): no inline script or style anywhere, so an injected
# <script> or style attribute does nothing. htmx's config is in a <meta> tag (templates/base.html)
# and the API docs load their init script as a file (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Avatars are initials on a colour; IDEASTORM_GRAVATAR=true puts a member's Gravatar over them
# (off by default: each page view would tell gravatar.com who reads the board).
IDEASTORM_GRAVATAR = env_bool("IDEASTORM_GRAVATAR", False)
if IDEASTORM_GRAVATAR:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("https://www.gravatar.com")
if S3_BUCKET:
    # The logo is served from the bucket: pages may load images from there.
    _s3 = STORAGES["default"]["OPTIONS"]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"https://{_s3['custom_domain']}"
        if _s3["custom_domain"]
        else (_s3["endpoint_url"] or f"https://{S3_BUCKET}.s3.amazonaws.com")
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's tokens, refused after IDEASTORM_API_TOKEN_DAYS (core.auth).
        "core.auth.ExpiringTokenAuthentication",
    ],
    # Views that set permission_classes themselves add NotBanned too (a banned member reads).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
        "core.roles.NotBanned",
    ],
    # JSON bodies only, read by core.parsers (too deep a body is a 400, not a 500): the API
    # takes nothing else (no upload), and a schema listing forms too trips client generators
    # (docs/api.md). A form or multipart body is a 415.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    # APIClient in the tests sends JSON unless told otherwise, as every client does.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Every error in one shape, {"detail", "code", "errors"}, and documented as such.
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api_errors.ErrorResponsesSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IdeaStorm API",
    "DESCRIPTION": "Submit, rank and discuss product ideas.",
    # The API's version: a breaking change to the schema (docs/openapi.yaml) bumps it and adds a
    # line to docs/API-CHANGELOG.md (docs/api.md; tests/api/test_schema.py checks).
    "VERSION": "2.0.0",
    # Ids in paths (<id:pk>, core.converters) are integers to generated clients, not strings.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: the broker is IDEASTORM_BROKER_URL (RabbitMQ, say) when set, else Redis when REDIS_URL
# is set, else kombu's filesystem transport in var/, which needs no server. Results, when kept,
# go to Redis.
IDEASTORM_BROKER_URL = os.environ.get("IDEASTORM_BROKER_URL", "").strip()
# How long Redis keeps a message a worker took before handing it to another (the worker died
# before acknowledging it). Longer than any task runs; a message with an eta is held unacked
# until it is due, so one due later is handed out again meanwhile (every task allows that).
BROKER_VISIBILITY_TIMEOUT = env_positive_float(
    "IDEASTORM_BROKER_VISIBILITY_TIMEOUT", 3600, "seconds"
)
if IDEASTORM_BROKER_URL:
    CELERY_BROKER_URL = IDEASTORM_BROKER_URL
elif REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
if REDIS_URL:
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "socket_timeout": 5,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    }
else:
    CELERY_RESULT_BACKEND = None
if IDEASTORM_BROKER_URL or REDIS_URL:
    # Redis's options; py-amqp takes the same timeouts from broker_connection_timeout and the
    # heartbeat. A dead broker never holds a request: the enqueue gives up after these.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
        # Look for such messages every sweep (10 s), not every 10th: a dead worker's message
        # comes back within the timeout and 10 s, not 100 (one cheap Redis read per sweep).
        "unacked_restore_throttle": 1,
    }
    CELERY_BROKER_HEARTBEAT = 30
else:
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
# Four queues, so a slow webhook receiver or a burst of email never delays the ranking jobs:
# <prefix>.periodic (the default: rankings, trending, snapshots, sessions, archiving, changelog,
# clean-ups), .email (notifications), .webhooks, .stuffing (vote-stuffing detection). A worker
# started without -Q consumes all four; in production one per queue (deploy/systemd).
# IDEASTORM_CELERY_QUEUE names the prefix (the tests give each worker its own).
CELERY_QUEUE_PREFIX = os.environ.get("IDEASTORM_CELERY_QUEUE", "").strip() or "ideastorm"
CELERY_QUEUE_NAMES = {
    short: f"{CELERY_QUEUE_PREFIX}.{short}"
    for short in ("periodic", "email", "webhooks", "stuffing")
}
CELERY_TASK_QUEUES = [Queue(name) for name in CELERY_QUEUE_NAMES.values()]
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE_NAMES["periodic"]
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": CELERY_QUEUE_NAMES["email"]},
    "webhooks.tasks.*": {"queue": CELERY_QUEUE_NAMES["webhooks"]},
    "moderation.tasks.*": {"queue": CELERY_QUEUE_NAMES["stuffing"]},
}
CELERY_TASK_IGNORE_RESULT = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
# Any number of beats may run: one leads, and each period's run of a job is sent once
# (core.beat). The schedule file only remembers the local beat's state across restarts.
CELERY_BEAT_SCHEDULER = "core.beat:LeaderScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The leader's lease: another beat takes over this long after the leader stops renewing it.
BEAT_LEASE_SECONDS = env_positive_float("IDEASTORM_BEAT_LEASE_SECONDS", 30, "seconds")
# A periodic job's lease (core.jobs), renewed while it runs: a job whose worker died is free to
# run again this long after. Shorter than the broker's visibility timeout, so the message Redis
# hands out again finds it free.
JOB_LEASE_SECONDS = env_positive_float("IDEASTORM_JOB_LEASE_SECONDS", 180, "seconds")
# /healthz calls the reconcile job stale after this many seconds without a successful run.
IDEAS_RECONCILE_STALE_AFTER = 3 * 300

# Email: the console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
# Seconds before an SMTP connection gives up: password reset and sign-in link emails are sent
# in the request's thread (after the answer), so a dead mail server must not hold it long.
EMAIL_TIMEOUT = 10
# A password reset link works this long (web.accounts.recovery); sign-in links, 15 minutes.
PASSWORD_RESET_TIMEOUT = 60 * 60
# An address alone: core.mail puts IDEASTORM_SITE_NAME before it ("IdeaStorm <...>").
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ideastorm@localhost")
# Behind a proxy that sets X-Forwarded-For: read the client's network from it (core.network).
IDEASTORM_TRUST_X_FORWARDED_FOR = env_bool("IDEASTORM_TRUST_X_FORWARDED_FOR", False)
# API tokens stop working this many days after they were issued (0: never); core.auth.
_token_days = os.environ.get("IDEASTORM_API_TOKEN_DAYS", "").strip() or "90"
if not (_token_days.isascii() and _token_days.isdigit() and int(_token_days) <= 36500):
    raise ImproperlyConfigured(
        f"IDEASTORM_API_TOKEN_DAYS must be a whole number of days from 0 (never) to 36500, "
        f"not {_token_days!r}."
    )
IDEASTORM_API_TOKEN_DAYS = int(_token_days)
# /healthz shows its details (versions, errors, job records) to staff and to a monitor sending
# this token (Authorization: Bearer, or ?token=); empty: staff only.
IDEASTORM_HEALTHZ_TOKEN = os.environ.get("IDEASTORM_HEALTHZ_TOKEN", "").strip()
# /metrics answers staff and a monitor sending this token (Authorization: Bearer); empty: staff
# only (core.metrics).
IDEASTORM_METRICS_TOKEN = os.environ.get("IDEASTORM_METRICS_TOKEN", "").strip()
# Links in emails and feeds start with this.
IDEASTORM_SITE_URL = os.environ.get("IDEASTORM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Webhooks may post to these private networks (an intranet); other non-public addresses,
# this site's own and 0.0.0.0 stay refused (core.outbound).
IDEASTORM_WEBHOOK_ALLOWED_NETWORKS = env_networks("IDEASTORM_WEBHOOK_ALLOWED_NETWORKS")

IDEAS_HALF_LIFE_DAYS = env_positive_float("IDEAS_HALF_LIFE_DAYS", 7.0)
# A new idea with no votes and no comments for this many days is archived (actions.tasks).
IDEAS_STALE_AFTER_DAYS = env_positive_float("IDEAS_STALE_AFTER_DAYS", 183.0)
# Visitors' list pages are cached only with a cache that every process shares (core/pagecache.py).
IDEAS_PAGE_CACHE = bool(REDIS_URL)
IDEAS_RATE_LIMITS = env_bool("IDEAS_RATE_LIMITS", True)
# PostgreSQL: a vote's transaction commits without waiting for its WAL to reach the disk
# (synchronous_commit off for that transaction only). A crash of the database server can lose
# the votes of its last fraction of a second, never half a vote: the vote row and the idea's
# counters commit together or not at all. Off: every vote waits for the disk.
IDEAS_VOTES_ASYNC_COMMIT = env_bool("IDEAS_VOTES_ASYNC_COMMIT", True)
# What core.ratelimit allows, as (how many, per how many seconds) in fixed windows;
# IDEAS_RATE_LIMITS=off lifts them all.
IDEAS_RATE_LIMIT_RATES = {
    # Ideas per member: a person with a lot to say writes a few an hour; a script, hundreds.
    "idea": (5, 60 * 60),
    # Comments per member: a lively thread, not a flood.
    "comment": (5, 60),
    # Votes per member: pressing through a list of ideas by hand, not a bot.
    "vote": (30, 60),
    # Votes per client address: room for a few members behind one office NAT.
    "vote-ip": (60, 60),
    # Sign-ups per client address: a family or a classroom, not an account farm.
    "signup-ip": (5, 60 * 60),
    # Verification links a member asks to be sent again: a mailbox is not a place to flood.
    "email-link": (5, 60 * 60),
    # Flags per member: the moderation queue is not a place to dump.
    "flag": (20, 60 * 60),
    # Failed log-ins per client address (IPv6: per /64), page and API token alike: one address
    # trying many accounts. Each account also locks after 30 (accounts.lockout, in the database).
    "login-ip": (100, 60 * 60),
    # Password reset and sign-in link emails asked for, per client address (IPv6: per /64)
    # and per address written to (a keyed hash of it): nobody floods a mailbox from the form.
    "email-link-ip": (20, 60 * 60),
    "email-link-to": (5, 60 * 60),
}
# A new account's posts wait for a moderator (moderation.holds); spam rules hold regardless.
IDEAS_HOLD_NEW_ACCOUNTS = env_bool("IDEAS_HOLD_NEW_ACCOUNTS", False)
# An idea or comment with this many unresolved flags is hidden until a moderator reviews it.
IDEAS_FLAGS_TO_HIDE = env_positive_int("IDEAS_FLAGS_TO_HIDE", 3)

# Accounts (issue 15). With IDEAS_REQUIRE_VERIFIED_EMAIL a member must confirm their address
# before posting ideas or comments (reading and voting never need it). IDEASTORM_SSO_ONLY turns
# local sign-up, passwords and email sign-in links off: members log in with the company's
# single sign-on only (staff keep the admin's own log-in).
IDEAS_REQUIRE_VERIFIED_EMAIL = env_bool("IDEAS_REQUIRE_VERIFIED_EMAIL", False)
IDEASTORM_SSO_ONLY = env_bool("IDEASTORM_SSO_ONLY", False)
# --- single sign-on (allauth socialaccount, OpenID Connect): added by the SSO work ---
# Log in with any OpenID Connect provider (IDEASTORM_OIDC_*) and the Google, Microsoft and GitHub
# presets (IDEASTORM_SSO_*): django-allauth's socialaccount, every provider configured here and
# none in the database. web/accounts/sso/ decides who gets in (README, "Single sign-on").
MICROSOFT_CONSUMERS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


def _sso_pair(environ, prefix: str) -> tuple[str, str]:
    """A client id and secret: both or neither."""
    client_id = environ.get(f"{prefix}_CLIENT_ID", "").strip()
    secret = environ.get(f"{prefix}_CLIENT_SECRET", "").strip()
    if bool(client_id) != bool(secret):
        raise ImproperlyConfigured(
            f"Set both {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET, or neither."
        )
    return client_id, secret


def _oidc_app(
    provider_id: str, name: str, client: tuple[str, str], issuer: str, base: str = "", **extra
) -> dict:
    # Discovery is at the issuer (or `base`) plus /.well-known/openid-configuration (OpenID
    # Connect Discovery 4); web.accounts.sso.oidc holds its answer and every ID token to `issuer`.
    discovery = (base or issuer).rstrip("/") + "/.well-known/openid-configuration"
    settings = {"server_url": discovery, "issuer": issuer, "fetch_userinfo": True, **extra}
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": client[0],
        "secret": client[1],
        "settings": {**settings, "oauth_pkce_enabled": True},
    }


def sso_provider_settings(environ) -> dict:
    """SOCIALACCOUNT_PROVIDERS from these variables (the tests call it with their own)."""
    apps = []
    issuer = environ.get("IDEASTORM_OIDC_ISSUER", "").strip()
    client = _sso_pair(environ, "IDEASTORM_OIDC")
    if bool(issuer) != bool(client[0]):
        raise ImproperlyConfigured(
            "Single sign-on needs IDEASTORM_OIDC_ISSUER, IDEASTORM_OIDC_CLIENT_ID and "
            "IDEASTORM_OIDC_CLIENT_SECRET together."
        )
    if issuer and not issuer.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"IDEASTORM_OIDC_ISSUER must be a URL, not {issuer!r}.")
    if issuer:
        name = environ.get("IDEASTORM_OIDC_NAME", "").strip() or "Single sign-on"
        apps.append(_oidc_app("oidc", name, client, issuer))
    if (client := _sso_pair(environ, "IDEASTORM_SSO_GOOGLE"))[0]:
        # Google's ID tokens may name the issuer without the scheme.
        google = "https://accounts.google.com"
        apps.append(_oidc_app("google", "Google", client, google, issuers=["accounts.google.com"]))
    if (client := _sso_pair(environ, "IDEASTORM_SSO_MICROSOFT"))[0]:
        tenant = environ.get("IDEASTORM_SSO_MICROSOFT_TENANT", "").strip() or "common"
        if not all(c.isalnum() or c in ".-" for c in tenant):
            raise ImproperlyConfigured(
                f"IDEASTORM_SSO_MICROSOFT_TENANT must be a tenant ID or common, organizations "
                f"or consumers, not {tenant!r}."
            )
        # The multi-tenant endpoints name each token's own tenant ("{tenantid}"); Entra ID vouches
        # for an address with xms_edov, an optional claim the app registration must ask for.
        issuer_tenant = {"common": "{tenantid}", "organizations": "{tenantid}"}.get(
            tenant, MICROSOFT_CONSUMERS_TENANT if tenant == "consumers" else tenant
        )
        apps.append(
            _oidc_app(
                "microsoft",
                "Microsoft",
                client,
                f"https://login.microsoftonline.com/{issuer_tenant}/v2.0",
                base=f"https://login.microsoftonline.com/{tenant}/v2.0",
                email_verified_claims=["email_verified", "xms_edov"],
            )
        )
    providers = {
        "openid_connect": {
            # allauth's provider with the checks it leaves to TLS: the ID token's signature, a
            # nonce, the discovery document's issuer (web.accounts.sso.oidc).
            "provider_class": "web.accounts.sso.oidc.OIDCProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": apps,
        }
    }
    if (client := _sso_pair(environ, "IDEASTORM_SSO_GITHUB"))[0]:
        providers["github"] = {
            "OAUTH_PKCE_ENABLED": True,
            "SCOPE": ["read:user", "user:email"],
            "APP": {"client_id": client[0], "secret": client[1]},
        }
    return providers


def sso_form_action(providers: dict) -> list[str]:
    """Where a log-in button's form ends up: the providers' origins. The browser applies the
    page's form-action to every redirect after a form's POST, the one to the provider too."""
    origins = []
    for app in providers["openid_connect"]["APPS"]:
        parts = urlsplit(app["settings"]["issuer"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    if "github" in providers:
        origins.append("https://github.com")
    return list(dict.fromkeys(origins))


SOCIALACCOUNT_PROVIDERS = sso_provider_settings(os.environ)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sso_form_action(SOCIALACCOUNT_PROVIDERS)
SOCIALACCOUNT_ADAPTER = "web.accounts.sso.adapter.SocialAccountAdapter"
ACCOUNT_ADAPTER = "web.accounts.sso.adapter.AccountAdapter"
# A new SSO member gets an account at once (a name made from the claims); a known verified email
# logs into its account: the adapter decides both, allauth's email matching stays off.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
# Starting a log-in is a POST with CSRF; a GET shows a page with the button.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5
# Email uniqueness is the site's own rule (web.accounts.forms), not allauth's address book.
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_EMAIL_NOTIFICATIONS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# --- end single sign-on ---
# --- email (core/mail.py): added by the email work ---
# The sender's display name ("IdeaStorm <ideastorm@example.com>") when DJANGO_DEFAULT_FROM_EMAIL
# has none, and the site's name in emails; replies to emails go to IDEASTORM_REPLY_TO if set.
IDEASTORM_SITE_NAME = os.environ.get("IDEASTORM_SITE_NAME", "").strip() or "IdeaStorm"
IDEASTORM_REPLY_TO = os.environ.get("IDEASTORM_REPLY_TO", "").strip()
# SMTP log-in and STARTTLS (DJANGO_EMAIL_HOST and DJANGO_EMAIL_PORT are above).
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# A provider's HTTP API through django-anymail (DJANGO_EMAIL_BACKEND=anymail.backends.<esp>.
# EmailBackend): its settings as a JSON object, e.g. {"POSTMARK_SERVER_TOKEN": "..."}.
try:
    ANYMAIL = json.loads(os.environ.get("DJANGO_ANYMAIL", "").strip() or "{}")
except ValueError:
    ANYMAIL = None
if not isinstance(ANYMAIL, dict):
    raise ImproperlyConfigured('DJANGO_ANYMAIL must be a JSON object, e.g. {"KEY": "value"}.')
# --- end email ---


def _console_keeps(record) -> bool:
    """A visitor's 4xx (a 403, a 404, a bad request) is no fault of the server: django.request
    leaves it out of the console and django.security says it in one line, without a traceback.
    A 5xx keeps its traceback."""
    if getattr(record, "status_code", 500) >= 500:
        return True
    if record.name.startswith("django.request"):
        return False
    if record.name.startswith("django.security"):
        record.exc_info, record.exc_text = None, None
    return True


# IDEASTORM_LOG_FORMAT: "plain" (for people) or "json" (one object per line with the request
# id, for a log pipeline; gunicorn and Celery workers too): core.logging.
IDEASTORM_LOG_FORMAT = os.environ.get("IDEASTORM_LOG_FORMAT", "").strip().lower() or "plain"
if IDEASTORM_LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(
        f"IDEASTORM_LOG_FORMAT must be plain or json, not {os.environ['IDEASTORM_LOG_FORMAT']!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "filters": {
        "console_keeps": {"()": "django.utils.log.CallbackFilter", "callback": _console_keeps},
        "request_id": {"()": "core.logging.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": IDEASTORM_LOG_FORMAT,
            "filters": ["console_keeps", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The embedded broker's URL (filesystem://) names no host, which kombu warns about on
        # every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}
# --- demo mode (demo/, scripts/run.sh) ---
# IDEASTORM_DEMO: the board is a try-out with sample data. `make run` turns it on unless told
# otherwise; then (or with DEBUG on) the demo accounts' public password works, and every page
# says the board is a demo.
IDEASTORM_DEMO = env_bool("IDEASTORM_DEMO", False)
# --- end demo mode ---
