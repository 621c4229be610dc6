"""IdeaStorm settings, driven by environment variables (see .env.example)."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


def env_positive_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a positive number of days, not {raw!r}.")
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
    "core",
    "accounts",
    "ideas",
    "votes",
    "comments",
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
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.BanMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, otherwise an embedded SQLite file in var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
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
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ideastorm.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders, so neither tests nor `make run` need collectstatic first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site's 403 page (for htmx, its message at the top of the page) instead of Django's.
CSRF_FAILURE_VIEW = "core.api_errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    # TLS ends at the reverse proxy, which must set (and overwrite any client-sent)
    # X-Forwarded-Proto: https; without one in front, this header would be the client's word.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP and read the status, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
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
    # DRF's parsers, but JSON read by core.parsers: too deep a body is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Every error in one shape, {"detail", "code", "errors"}, and documented as such.
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api_errors.ErrorResponsesSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IdeaStorm API",
    "DESCRIPTION": "Submit, rank and discuss product ideas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport in var/, which
# needs no server.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "visibility_timeout": 3600,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "socket_timeout": 5,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    }
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
    CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("IDEASTORM_CELERY_QUEUE", "ideastorm")
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
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# /healthz calls the reconcile job stale after this many seconds without a successful run.
IDEAS_RECONCILE_STALE_AFTER = 3 * 300

# Email: the console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "IdeaStorm <ideastorm@localhost>")
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
    # Flags per member: the moderation queue is not a place to dump.
    "flag": (20, 60 * 60),
    # Failed log-ins per client address (IPv6: per /64), page and API token alike: one address
    # trying many accounts. Each account also locks after 30 (accounts.lockout, in the database).
    "login-ip": (100, 60 * 60),
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
# --- end single sign-on ---
# --- email (core/mail.py): added by the email work ---
# --- end email ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
