"""The one settings module. Everything a deployment changes comes from the environment.

Each variable is declared once in cleanrecord/conf.py (type, default, help, checks) and read here from
its registry; the platform's own settings are CLEANRECORD (bottom of this file), read through
cleanrecord.conf.get() so that the rest of the code never looks at os.environ.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS

from cleanrecord import conf

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable below is declared, typed and checked in cleanrecord/conf.py: a wrong value stops the start.
env = conf.read_environment(os.environ, BASE_DIR)

# Everything the platform writes (database, keys, reports, error files, uploads waiting to be read)
# is for its own user only: set before the first file or folder is made, in every process.
os.umask(0o077)

DATA_DIR = Path(env["DATA_DIR"])
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
# Uploads waiting to be read, and copies an import reads from: never in the shared /tmp, swept by sweep_imports.
TEMP_DIR = Path(env["TEMP_DIR"])
(TEMP_DIR / "uploads").mkdir(parents=True, exist_ok=True, mode=0o700)

DEBUG = env["DEBUG"]
SECRET_KEY = env["SECRET_KEY"]
if not SECRET_KEY:
    # Development and tests: a key kept in the data directory, made on first start.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = env["ALLOWED_HOSTS"]
CSRF_TRUSTED_ORIGINS = env["CSRF_TRUSTED_ORIGINS"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    # django-ninja's own copy of Swagger UI (swagger-ui-dist, pinned with ninja in requirements.txt) for /api/v1/docs:
    # with the app installed ninja serves it from our static files, not from a CDN the CSP would block.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "cleanrecord.jobs",
    "cleanrecord.reference",
    "cleanrecord.entities",
    "cleanrecord.signin",
    "cleanrecord.records",
    "cleanrecord.accounts",
    "cleanrecord.audit",
    "cleanrecord.workdays",
    "cleanrecord.freshness",
    "cleanrecord.objections",
    "cleanrecord.matters",
    "cleanrecord.reports",
    "cleanrecord.verification",
    "cleanrecord.acceptance",
    "cleanrecord.quality",
    "cleanrecord.demo",
    "cleanrecord.front",
    "cleanrecord.backup",
]

MIDDLEWARE = [
    # First: every later middleware, view and Django's error logging run under the request's id.
    "cleanrecord.requestid.middleware",
    # Second: one log line per request and its time in /metrics, measured around everything after it.
    "cleanrecord.requestlog.middleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from STATIC_ROOT (collected by manage.py serve), before sessions and views.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and views: a NUL in a path, query or cookie is a 400, not a database error.
    "cleanrecord.front.middleware.RejectControlCharacters",
    "cleanrecord.front.csp.ContentSecurityPolicy",  # django-csp's, with the policy built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a request body: refuses one whose Content-Length is beyond its route's limit.
    "cleanrecord.uploads.ContentLengthLimitMiddleware",
    "cleanrecord.front.middleware.RejectControlCharactersInBodies",
    "cleanrecord.audit.signals.CurrentUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cleanrecord.urls"
WSGI_APPLICATION = "cleanrecord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cleanrecord.front.context.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env["DATABASE_URL"] or f"sqlite:///{DATA_DIR / 'cleanrecord.sqlite3'}",
        # Persistent connections: opening one per request costs PostgreSQL more than a verification does.
        conn_max_age=env["DB_CONN_MAX_AGE"],
        conn_health_checks=True,
    )
}
POSTGRESQL = "cleanrecord.lib.postgresql"  # Django's, checking a kept connection's health only after it sat idle
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL
if env["DATABASE_REPLICA_URL"]:
    if DATABASES["default"]["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL：只读副本须为 PostgreSQL 流复制副本，主库 DATABASE_URL 也须为 PostgreSQL")
    # Verification, the public pages and report downloads read from the replica (cleanrecord/lib/replica.py);
    # every write, and every other read, goes to the primary.
    DATABASES["replica"] = dj_database_url.parse(env["DATABASE_REPLICA_URL"], conn_max_age=env["DB_CONN_MAX_AGE"],
                                                 conn_health_checks=True)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = POSTGRESQL
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cleanrecord.lib.replica.Router"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Verification's cached answers (verification/services.py): keyed by the subject's data version, so no
# entry is ever stale; local memory per process by default, one Redis for every web server when configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env["CACHE_URL"]}
          if env["CACHE_URL"] else
          {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10_000}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 for every new or changed password; older hashes still verify and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The axes backend only refuses locked-out logins; ModelBackend then checks the password and permissions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Entities sign in through the government identity service (OpenID Connect) when CLEANRECORD_OIDC_ISSUER is set.
    "cleanrecord.signin.backend.EntitySignInBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Pages in Chinese by default; English for overseas users (LocaleMiddleware: the language cookie set by
# /i18n/setlang/, else the browser's Accept-Language). Catalogues in locale/ (`make messages`).
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("英文"))]
TIME_ZONE = env["TIME_ZONE"]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled by `manage.py serve` (collectstatic) before gunicorn starts
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns, in every process, of a missing one
MEDIA_ROOT = DATA_DIR / "media"

# Uploads above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = str(TEMP_DIR / "uploads")
# The first handler stops reading a body beyond its route's limit (cleanrecord/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "cleanrecord.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Static files alone stay readable by others: the web server in front may serve them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}

# Whitenoise serves what `manage.py serve` collected into STATIC_ROOT; a year's caching needs hashed names,
# which the plain storage above does not make, so browsers revalidate (cheap: whitenoise answers 304).
WHITENOISE_MAX_AGE = 3600

# --- background tasks (django-tasks; the database backend from django-tasks-db) ----------------------
# `manage.py worker` runs them (and the scheduled jobs, cleanrecord/jobs); `manage.py serve` starts one.
# CLEANRECORD_TASK_BACKEND=immediate runs each task in the process that enqueues it (tests, no worker).
TASKS = {
    "default": {
        "BACKEND": {"database": "django_tasks_db.DatabaseBackend",
                    "immediate": "django_tasks.backends.immediate.ImmediateBackend"}[env["TASK_BACKEND"]],
        "QUEUES": ["default"],
    },
}

# --- security headers -----------------------------------------------------------------------------
# HTTPS=true (or the older SECURE_COOKIES=true) once the site is served over TLS: secure cookies and HSTS.
HTTPS = env["HTTPS"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env["HSTS_SECONDS"] if HTTPS else 0
# Behind a TLS-terminating proxy Django sees plain HTTP; trust its X-Forwarded-Proto only when told to,
# since a client could send the header itself when no proxy strips it.
if env["TRUST_X_FORWARDED_PROTO"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site has no inline script or style: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- login lockout (django-axes) --------------------------------------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is refused
# for LOGIN_COOLOFF_MINUTES; other users behind the same address can still log in. The office can
# lift a lockout early in the admin (Axes → access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env["LOGIN_FAILURE_LIMIT"]
AXES_COOLOFF_TIME = timedelta(minutes=env["LOGIN_COOLOFF_MINUTES"])
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "cleanrecord.audit.signals.attempted_username"
# The address behind trusted proxies (CLEANRECORD_TRUSTED_PROXIES), the same one the verification budget uses.
AXES_CLIENT_IP_CALLABLE = "cleanrecord.lib.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_COOLOFF_MESSAGE = _("登录失败次数过多，该账户已被暂时锁定，请稍后再试。")
AXES_PERMALOCK_MESSAGE = _("登录失败次数过多，该账户已被锁定，请联系信用办管理员解锁。")
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/imports/"
LOGOUT_REDIRECT_URL = "/"

# CLEANRECORD_LOG_FORMAT: text for a person at the console, json (python-json-logger) for a log shipper: one
# object a line with timestamp, level, logger, message, request_id and the record's fields (the request
# line's route, method, status, duration_ms, role: cleanrecord/requestlog.py). Django's error records carry
# the request object itself: left out, since its text holds the path and query; their message names the URL
# pattern instead of the path (cleanrecord/lib/routes.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cleanrecord.requestid.RequestIdFilter"},
                "paths_as_routes": {"()": "cleanrecord.lib.routes.PathsAsRoutes"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
            "json_ensure_ascii": False,
            "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time", "taskName"],
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id", "paths_as_routes"],
                             "formatter": env["LOG_FORMAT"]}},
    "loggers": {
        "cleanrecord": {"handlers": ["console"], "level": env["LOG_LEVEL"]},
        # Django's own: unhandled errors (django.request, with the traceback) and refused hosts, whatever DEBUG is.
        "django": {"handlers": ["console"], "level": env["DJANGO_LOG_LEVEL"]},
    },
}

# --- e-mail, city rules and platform settings ---------------------------------------------------
# E-mail for notifications (objections, explanations). The console backend prints them in development.
EMAIL_BACKEND = env["EMAIL_BACKEND"]
EMAIL_HOST = env["EMAIL_HOST"]
EMAIL_PORT = env["EMAIL_PORT"]
EMAIL_HOST_USER = env["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = env["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = env["EMAIL_USE_TLS"]
DEFAULT_FROM_EMAIL = env["DEFAULT_FROM_EMAIL"]

# The platform's own settings, each declared with its variable, type, default and help in cleanrecord/conf.py
# (conf.SETTINGS) and read through cleanrecord.conf.get(NAME).
CLEANRECORD = conf.platform_settings(env)
