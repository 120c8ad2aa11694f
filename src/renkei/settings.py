"""Project settings, read from the environment.

Every value that differs between a laptop demo and a production group deployment comes from an
environment variable; the defaults give a working single-process SQLite install under ./.renkei.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RENKEI_DATA_DIR", "./.renkei")).resolve()


def _owner_only(path: Path, mode: int) -> None:
    """Give a path of ours owner-only permissions: the data directory holds the secret key, the
    database and partners' evidence, which no other account on the machine may read."""
    if path.exists() and path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


DATA_DIR.mkdir(parents=True, exist_ok=True)
_owner_only(DATA_DIR, 0o700)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The secret key from the environment, else one generated once and kept in the data directory."""
    if key := os.environ.get("RENKEI_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("RENKEI_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("RENKEI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("RENKEI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "renkei.core",
    "renkei.accounts",
    "renkei.registry",
    "renkei.chain",
    "renkei.software",
    "renkei.incidents",
    "renkei.assessments",
    "renkei.reports",
    "renkei.demo",
    # Last: removes stored files when their record is deleted or the file replaced.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "renkei.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "renkei.core.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "renkei.core.middleware.AuditActorMiddleware",
    "renkei.core.middleware.ApplicationErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "renkei.urls"
WSGI_APPLICATION = "renkei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renkei.core.context_processors.navigation",
                "renkei.registry.context_processors.navigation",
            ],
            # The display filters (|jdate, |jdate_short, |jdatetime, |num) on every page.
            "builtins": ["renkei.core.templatetags.renkei_tags"],
        },
    }
]

# --- Database: SQLite in the data directory (WAL) unless DATABASE_URL names another server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'renkei.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # Created owner-only before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if _sqlite_file.parent.is_dir() and str(_sqlite_file) != ":memory:":
        os.close(os.open(_sqlite_file, os.O_CREAT | os.O_WRONLY, 0o600))
        _owner_only(_sqlite_file, 0o600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The model of our group companies, which core's scoped records point to (see core/tenancy.py).
RENKEI_GROUP_COMPANY_MODEL = "registry.Organisation"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
# A password-reset link expires after this many seconds (one hour; docs/operations.md).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("RENKEI_PASSWORD_RESET_TIMEOUT", "3600"))
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("RENKEI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("RENKEI_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client address behind a reverse proxy: see core/network.py (forwarded headers ignored unless set).
RENKEI_TRUSTED_PROXY_HEADER = os.environ.get("RENKEI_TRUSTED_PROXY_HEADER", "")
RENKEI_TRUSTED_PROXIES = os.environ.get("RENKEI_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "renkei.core.network.client_address"

# Second factor (django-otp TOTP): the issuer name shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("RENKEI_TOTP_ISSUER", "Renkei")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("RENKEI_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Transport and browser security (docs/operations.md, "Production settings").
# HSTS only where the site is served over HTTPS, which secure cookies say it is.
SECURE_HSTS_SECONDS = int(
    os.environ.get("RENKEI_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("RENKEI_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_bool("RENKEI_HSTS_PRELOAD")
SECURE_SSL_REDIRECT = _env_bool("RENKEI_SSL_REDIRECT")
# A load balancer's health check may come over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy: the header it sets to "https" (e.g. X-Forwarded-Proto). Only set
# it when the proxy always overwrites that header, or a client could claim HTTPS.
if _proxy_ssl_header := os.environ.get("RENKEI_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts and styles from our own files
# only, no inline code; images may be data: URIs (the TOTP QR code, Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language and time: Japanese first, Asia/Tokyo for display, UTC in storage.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True
# One date/time format per language for every page, e-mail and document (core/formats/).
FORMAT_MODULE_PATH = ["renkei.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages copied from node_modules at install time (scripts/vendor_assets.py).
STATICFILES_DIRS = [BASE_DIR / "static"]
(BASE_DIR / "static").mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("RENKEI_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: whole requests and single files are size-limited before parsing.
RENKEI_MAX_UPLOAD_BYTES = int(os.environ.get("RENKEI_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# SBOM documents are larger than other uploads (a 10,000-component CycloneDX JSON is about 5 MB).
RENKEI_MAX_SBOM_BYTES = int(os.environ.get("RENKEI_MAX_SBOM_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = RENKEI_MAX_UPLOAD_BYTES + 1024 * 1024
# Enrichment files (CISA KEV, FIRST EPSS): the upload, and what a .gz may unpack to (a gzip bomb
# stops there). The sources page warns when a source's file is older than its number of days.
RENKEI_MAX_ENRICHMENT_BYTES = int(os.environ.get("RENKEI_MAX_ENRICHMENT_BYTES", str(100 * 1024 * 1024)))
RENKEI_MAX_ENRICHMENT_UNPACKED_BYTES = int(
    os.environ.get("RENKEI_MAX_ENRICHMENT_UNPACKED_BYTES", str(300 * 1024 * 1024))
)
RENKEI_ENRICHMENT_MAX_AGE_DAYS = {
    "kev": int(os.environ.get("RENKEI_KEV_MAX_AGE_DAYS", "7")),
    "epss": int(os.environ.get("RENKEI_EPSS_MAX_AGE_DAYS", "3")),
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Stored files (evidence, attachments, SBOMs) and their folders: owner-only, like the data directory.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- E-mail
# Without SMTP, mail is printed with its portal links masked (core/mail.py).
EMAIL_BACKEND = os.environ.get("RENKEI_EMAIL_BACKEND", "renkei.core.mail.MaskedConsoleBackend")
EMAIL_HOST = os.environ.get("RENKEI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RENKEI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("RENKEI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RENKEI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("RENKEI_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("RENKEI_EMAIL_FROM", "renkei@localhost")
# The address partners reach this server at: portal links in e-mails are built on it.
RENKEI_BASE_URL = os.environ.get("RENKEI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Background tasks: the database backend by default.
TASKS = {"default": {"BACKEND": os.environ.get("RENKEI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Audit trail (django-auditlog): models are registered explicitly in each app's apps.py.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_STORE_JSON_CHANGES = True
# Foreign keys are recorded by name, so the history stays readable after the target is deleted.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("RENKEI_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}

# Leak attribution: the fingerprint key (else derived from the secret key), canary e-mail domain, limits.
RENKEI_LEAK_KEY = os.environ.get("RENKEI_LEAK_KEY", "")
RENKEI_CANARY_DOMAIN = os.environ.get("RENKEI_CANARY_DOMAIN", "canary.renkei.example")
RENKEI_MAX_LEAK_BYTES = int(os.environ.get("RENKEI_MAX_LEAK_BYTES", str(200 * 1024 * 1024)))
RENKEI_LEAK_INLINE_BYTES = int(os.environ.get("RENKEI_LEAK_INLINE_BYTES", str(2 * 1024 * 1024)))
RENKEI_LEAK_WORKERS = int(os.environ.get("RENKEI_LEAK_WORKERS", "0"))

# Assessments: evidence files per upload, and how long before expiry our certifications are reminded.
RENKEI_MAX_EVIDENCE_BYTES = int(os.environ.get("RENKEI_MAX_EVIDENCE_BYTES", str(10 * 1024 * 1024)))
# The inquiry desk printed on the PPC report and the notice to individuals (窓口名, 電話, 受付時間, メール);
# "\n" in the value starts a new line. Empty: the drafts show a warning instead.
RENKEI_INQUIRY_CONTACT = os.environ.get("RENKEI_INQUIRY_CONTACT", "").replace("\\n", "\n").strip()
# A TrueType (.ttf) Japanese font to embed in PDFs instead of the packaged IPAexGothic.
RENKEI_PDF_FONT = os.environ.get("RENKEI_PDF_FONT", "")
RENKEI_CERT_REMINDER_DAYS = [
    int(d) for d in os.environ.get("RENKEI_CERT_REMINDER_DAYS", "60,30,7,0").split(",") if d.strip()
]

RENKEI_CERT_EXPIRY_WARNING_DAYS = int(os.environ.get("RENKEI_CERT_EXPIRY_WARNING_DAYS", "60"))
RENKEI_API_TOKEN_MAX_DAYS = int(os.environ.get("RENKEI_API_TOKEN_MAX_DAYS", "365"))

# Every handler masks portal links and tokens (a 404 on a portal link logs its path); the development
# server's request log is Django's own, redefined here only to add the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "renkei.core.logmask.MaskSecretsFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
        "django.server": {
            "level": "INFO", "class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_secrets"]
        },
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("RENKEI_LOG_LEVEL", "WARNING")},
}
