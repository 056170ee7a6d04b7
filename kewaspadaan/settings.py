"""Django settings for Kewaspadaan.

Every value comes from the environment (see ``.env.example``), parsed strictly by
``kewaspadaan.env``: a malformed value stops start-up with a message naming the variable.
Defaults are the production ones; the README's first command writes a local ``.env`` with
``DEBUG=true`` and ``DEMO_MODE=true`` for the embedded default.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kewaspadaan.choices import Role  # plain choices: no model, no app registry
from kewaspadaan.env import (
    EnvError,
    derived_fernet_key,
    env_bool,
    env_choice,
    env_int,
    env_keys,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Demo mode allows the demo data set and demo logins. Never in production.
DEMO_MODE = env_bool("DEMO_MODE", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    raise EnvError(
        "SECRET_KEY is required: set it to a long random string "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if not DEBUG and len(SECRET_KEY) < 50:
    raise EnvError("SECRET_KEY must be at least 50 characters long when DEBUG is off.")

# Keys that encrypt protected fields at rest (the informant), kewaspadaan.crypto. The first
# encrypts, all decrypt (rotation). Required when DEBUG is off; in development a key derived
# from SECRET_KEY stands in (./dev writes a real one into .env).
FIELD_ENCRYPTION_KEYS = env_keys("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise EnvError(
            "FIELD_ENCRYPTION_KEYS is required when DEBUG is off (generate one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        )
    FIELD_ENCRYPTION_KEYS = [derived_fernet_key(SECRET_KEY)]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise EnvError("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Our apps first so their templates (login, admin tweaks) win.
    "kewaspadaan",
    "laporan",
    "forkopimda",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kewaspadaan.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kewaspadaan.middleware.SessionIdleTimeoutMiddleware",
    # THE two-factor rule: after authentication and OTP, before any view.
    "kewaspadaan.middleware.OTPRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kewaspadaan.urls"
WSGI_APPLICATION = "kewaspadaan.wsgi.application"
ASGI_APPLICATION = "kewaspadaan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kewaspadaan.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
_default_db = f"sqlite:///{BASE_DIR / '.local' / 'db.sqlite3'}" if (DEBUG or DEMO_MODE) else None
DATABASE_URL = env_url("DATABASE_URL", _default_db, schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL is None:
    raise EnvError("DATABASE_URL is required when DEBUG is off (postgres://user@host:5432/name).")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction pooling mode a server-side cursor cannot outlive its
# transaction: Django's .iterator() then fetches in chunks from a client-side cursor.
if env_bool("DATABASE_POOLER_TRANSACTION_MODE", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A streaming read replica for the pages that opt in (kewaspadaan/db_routers.py).
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", None, schemes=("postgres", "postgresql"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL,
                                conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
                                conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"].get(
        "DISABLE_SERVER_SIDE_CURSORS", False)
    DATABASE_ROUTERS = ["kewaspadaan.db_routers.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process demo read while it writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
# Without Redis, tasks run in-process (the embedded default). With it, a worker runs them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", REDIS_URL is None)
if not CELERY_TASK_ALWAYS_EAGER and REDIS_URL is None:
    raise EnvError("REDIS_URL is required unless CELERY_TASK_ALWAYS_EAGER is true.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died (acks_late) is handed to another worker after this many seconds;
# it must exceed the longest task's run time (rescore_all: 3,300 s hard limit).
_VISIBILITY = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY,
    # Look for such tasks every few seconds (one small Redis query per worker), not every
    # 100 s as kombu's default interval x throttle would.
    "unacked_restore_interval": min(10, _VISIBILITY),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_WORKER_SEND_TASK_EVENTS = False

def redis_caches(url: str) -> dict:
    """The cache on Redis: a miss, not an error, when Redis is down, so reports keep coming
    in (kewaspadaan/cache.py); short timeouts so a dead Redis never holds a request."""
    return {
        "default": {
            "BACKEND": "kewaspadaan.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "kw"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users and sessions ------------------------------------------------------------------
AUTH_USER_MODEL = "kewaspadaan.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out username+address before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kewaspadaan.auth.PersonalDataPasswordValidator"},
]
# Absolute life of a session (8 hours: one working day) and the idle limit inside it.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor login (TOTP, django-otp): these roles must enter a code from an authenticator
# app after their password (kewaspadaan.middleware.OTPRequiredMiddleware). Operators may be
# listed too. "none" turns the rule off (a load test, a closed lab); never in production.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", ["analyst", "official", "national", "admin"])
if OTP_REQUIRED_ROLES == ["none"]:
    OTP_REQUIRED_ROLES = []
if set(OTP_REQUIRED_ROLES) - set(Role.values):
    raise EnvError(f"OTP_REQUIRED_ROLES may only name these roles: {', '.join(Role.values)}.")
OTP_TOTP_ISSUER = "Kewaspadaan"
# A wrong code doubles the wait before the next try (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout after failed logins (django-axes): AXES_FAILURE_LIMIT failures of one username
# from one address lock that pair for AXES_COOLOFF_MINUTES. An administrator unlocks it in
# the admin ("Access attempts": delete the row) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kewaspadaan.auth_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "kewaspadaan.auth.client_ip"
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence lives outside the static tree and is only served through views that
# apply jurisdiction and classification (never by the web server directly).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
MEDIA_URL = "/media/"  # no URL serves it: evidence is downloaded only through its view
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------
_mail_backend = env_choice("EMAIL_BACKEND", "console" if DEBUG else "smtp",
                           ("smtp", "console", "locmem"))
_mail_options: dict = {}
if _mail_backend == "smtp":
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
    }
MAILERS = {
    "default": {
        "BACKEND": f"django.core.mail.backends.{_mail_backend}.EmailBackend",
        "OPTIONS": _mail_options,
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kewaspadaan <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes of the load balancer and of docker-compose speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# Proxies in front of the portal that append to X-Forwarded-For (kewaspadaan.auth.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Content Security Policy (Django's own middleware): only our own files; no inline script,
# no inline style, no plugins, no framing, forms post only here. data: images are the
# map/chart PNG exports and the two-factor QR code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens (machine clients) are issued by an administrator only; see kewaspadaan.auth.
        "kewaspadaan.auth.OTPAwareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kewaspadaan.api.pagination.CodeCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "kewaspadaan.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kewaspadaan.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # DRF's HTML view, under a policy that allows its inline styles (kewaspadaan.csp).
        "kewaspadaan.csp.PortalBrowsableAPIRenderer",
    ],
}
# Workflow reasons (a rejection's explanation) are stored whole in the history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Change history is evidence: the admin shows past versions but never restores one.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Apps add their API resources to the one /api/v1/ router through these functions.
API_ROUTES = ["laporan.api.urls.register", "forkopimda.api.urls.register"]
SPECTACULAR_SETTINGS = {
    "TITLE": "Kewaspadaan API",
    "DESCRIPTION": (
        "Early-warning portal for election security. Every list is scoped to the "
        "caller's jurisdiction (nation, province or kab/kota)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "kewaspadaan.choices.RiskLevel",
        "RegionLevelEnum": "kewaspadaan.choices.RegionLevel",
    },
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/img/favicon.svg",
}

# --- Logging -----------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Portal ------------------------------------------------------------------------------
PORTAL_NAME = "Kewaspadaan"
# Where the README's first command points the boundary importer in demo mode.
BOUNDARY_DIR = env_str("BOUNDARY_DIR", str(BASE_DIR.parent / "shared" / "geo"))
# Largest evidence file accepted (photos, screenshots, PDF).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)

# Largest CSV/XLSX accepted by the incident import, in bytes (laporan.transfer).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# UU PDP 27/2022: days after the end of the "penetapan-calon-terpilih" stage (set once the
# Constitutional Court's dispute period is over) after which the personal data of finished
# incidents (informant, actor descriptions, evidence files) is erased; counts, signals and
# scores stay. Incidents without an election count from their last change.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 180, minimum=0)

# --- Risk engine ---------------------------------------------------------------------------
# Seconds a rescore waits so that a burst of verifications in one region costs one run.
RESCORE_COALESCE_SECONDS = env_int("RESCORE_COALESCE_SECONDS", 3, minimum=0)
# A kab/kota without any report for this many days is a coverage gap, not a calm region.
COVERAGE_GAP_DAYS = env_int("COVERAGE_GAP_DAYS", 30, minimum=1)
# Outgoing webhooks for messaging gateways (comma-separated URLs) and their HMAC secret.
ALERT_WEBHOOK_URLS = env_list("ALERT_WEBHOOK_URLS", [])
ALERT_WEBHOOK_SECRET = env_str("ALERT_WEBHOOK_SECRET", "") or ""
if ALERT_WEBHOOK_URLS and not ALERT_WEBHOOK_SECRET:
    raise EnvError("ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URLS is set.")
# The portal's public address, for links in e-mails.
PORTAL_BASE_URL = (env_url("PORTAL_BASE_URL", "http://127.0.0.1:8000",
                           schemes=("http", "https")) or "").rstrip("/")
