"""The one settings module. Everything a deployment changes comes from the environment.

Rules that cities set differently live in CLEANRECORD (bottom of this file), read through
cleanrecord.conf so that the rest of the code never looks at os.environ.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cleanrecord.conf import LISTINGS_ANY_REGION, NATIONAL_MAX_YEARS

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.getenv(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}：应为 {'、'.join(choices)} 之一")
    return value


def envlist(name: str, default: str) -> list[str]:
    """A comma-separated list (ASCII or full-width commas), blanks dropped."""
    return [v.strip() for v in os.getenv(name, default).replace("，", ",").split(",") if v.strip()]


def report_years() -> tuple[int, int]:
    """(default years, max years) of a report's period: at most the national 5 years back."""
    default, most = envint("CLEANRECORD_REPORT_DEFAULT_YEARS", "3"), envint("CLEANRECORD_REPORT_MAX_YEARS", "5")
    if not 1 <= most <= NATIONAL_MAX_YEARS:
        raise ImproperlyConfigured(f"CLEANRECORD_REPORT_MAX_YEARS={most}：最长追溯年限应在 1 到 {NATIONAL_MAX_YEARS} 年"
                                   f"之间（国家规定查询期最长追溯 {NATIONAL_MAX_YEARS} 年）")
    if not 1 <= default <= most:
        raise ImproperlyConfigured(f"CLEANRECORD_REPORT_DEFAULT_YEARS={default}：默认查询年限应在 1 年到最长追溯年限"
                                   f"（{most} 年）之间")
    return default, most


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (docker/k8s secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.getenv(name, default)


# Everything the platform writes (database, keys, reports, error files, uploads waiting to be read)
# is for its own user only: set before the first file or folder is made, in every process.
os.umask(0o077)

DATA_DIR = Path(os.getenv("CLEANRECORD_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
# Uploads waiting to be read, and copies an import reads from: never in the shared /tmp, swept by sweep_imports.
TEMP_DIR = Path(os.getenv("CLEANRECORD_TEMP_DIR", DATA_DIR / "tmp")).resolve()
(TEMP_DIR / "uploads").mkdir(parents=True, exist_ok=True, mode=0o700)

DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    # Development and tests: a key kept in the data directory, made on first start.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "cleanrecord.reference",
    "cleanrecord.entities",
    "cleanrecord.records",
    "cleanrecord.accounts",
    "cleanrecord.audit",
    "cleanrecord.workdays",
    "cleanrecord.freshness",
    "cleanrecord.objections",
    "cleanrecord.reports",
    "cleanrecord.verification",
    "cleanrecord.quality",
    "cleanrecord.demo",
    "cleanrecord.front",
]

MIDDLEWARE = [
    # First: every later middleware, view and Django's error logging run under the request's id.
    "cleanrecord.requestid.middleware",
    "django.middleware.security.SecurityMiddleware",
    # Before sessions and views: a NUL in a path, query or cookie is a 400, not a database error.
    "cleanrecord.front.middleware.RejectControlCharacters",
    "csp.middleware.CSPMiddleware",
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
        os.getenv("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'cleanrecord.sqlite3'}",
        # Persistent connections: opening one per request costs PostgreSQL more than a verification does.
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
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
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
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

# --- security headers -----------------------------------------------------------------------------
# HTTPS=true (or the older SECURE_COOKIES=true) once the site is served over TLS: secure cookies and HSTS.
HTTPS = envbool("HTTPS", os.getenv("SECURE_COOKIES", "false"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "31536000") if HTTPS else 0
# Behind a TLS-terminating proxy Django sees plain HTTP; trust its X-Forwarded-Proto only when told to,
# since a client could send the header itself when no proxy strips it.
if envbool("TRUST_X_FORWARDED_PROTO", "false"):
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
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "30"))
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cleanrecord.requestid.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}},
    "loggers": {
        "cleanrecord": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
        # Django's own: unhandled errors (django.request, with the traceback) and refused hosts, whatever DEBUG is.
        "django": {"handlers": ["console"], "level": os.getenv("DJANGO_LOG_LEVEL", "ERROR")},
    },
}

# --- city rules and platform settings (read through cleanrecord.conf) ---------------------------
# E-mail for notifications (objections, explanations). The console backend prints them in development.
EMAIL_BACKEND = os.getenv("CLEANRECORD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("CLEANRECORD_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("CLEANRECORD_EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("CLEANRECORD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("CLEANRECORD_EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("CLEANRECORD_EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.getenv("CLEANRECORD_EMAIL_FROM", "noreply@credit.lanzhou.example")

REPORT_YEARS = report_years()

# Values of several types (str, int, bool, paths): readers know which one each setting has.
CLEANRECORD: dict[str, Any] = {
    # Reference data set: a folder with region.json, domains.csv and departments.csv.
    "REFERENCE_DIR": os.getenv("CLEANRECORD_REFERENCE_DIR", str(BASE_DIR / "cleanrecord/reference/data/lanzhou")),
    # Key for personal ID numbers at rest: 32 bytes, base64. Made in the data directory if unset.
    "FIELD_KEY": envsecret("CLEANRECORD_FIELD_KEY"),
    # Cipher for new values: "aes-gcm", or "sm4-gcm" where 国密 is required. Values written with
    # either stay readable after a switch.
    "FIELD_CIPHER": os.getenv("CLEANRECORD_FIELD_CIPHER", "aes-gcm"),
    # Name shown in the page header.
    "PLATFORM_NAME": os.getenv("CLEANRECORD_PLATFORM_NAME", "信用中国（甘肃兰州）信用信息共享平台"),
    # Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For names the client.
    "TRUSTED_PROXIES": [p.strip() for p in os.getenv("CLEANRECORD_TRUSTED_PROXIES", "").split(",") if p.strip()],
    # Where import error files are kept, and the locks of imports running (running/).
    "IMPORT_DIR": os.getenv("CLEANRECORD_IMPORT_DIR", str(DATA_DIR / "imports")),
    # Largest import file accepted through the web and the API.
    "IMPORT_MAX_BYTES": envint("CLEANRECORD_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)),
    # Rows in one imported file: twice the largest file benchmarked (1M rows); a bigger load is split.
    "IMPORT_MAX_ROWS": envint("CLEANRECORD_IMPORT_MAX_ROWS", "2000000"),
    # Columns of a row (or a sheet's declared width): the national layouts have at most 40.
    "IMPORT_MAX_COLUMNS": envint("CLEANRECORD_IMPORT_MAX_COLUMNS", "200"),
    # Cells of one sheet, declared or read: a 1M-row national-layout file has 37M.
    "IMPORT_MAX_CELLS": envint("CLEANRECORD_IMPORT_MAX_CELLS", "50000000"),
    # Bytes all members of an XLSX unpack to (declared in its zip directory): a zip bomb is refused unread.
    "IMPORT_MAX_UNPACKED_BYTES": envint("CLEANRECORD_IMPORT_MAX_UNPACKED_BYTES", str(1024 * 1024 * 1024)),
    # Members of an XLSX zip: a workbook has a dozen plus one per sheet.
    "IMPORT_MAX_ZIP_MEMBERS": envint("CLEANRECORD_IMPORT_MAX_ZIP_MEMBERS", "1000"),
    # Address space (MB) of the child process that reads an imported file; a file needing more is refused.
    "IMPORT_MEMORY_LIMIT_MB": envint("CLEANRECORD_IMPORT_MEMORY_LIMIT_MB", "2048"),
    # Where uploads wait while they are read (see TEMP_DIR above).
    "TEMP_DIR": str(TEMP_DIR),
    # A running import whose process left no trace on this host is called interrupted after this many hours.
    "IMPORT_STALE_HOURS": envint("CLEANRECORD_IMPORT_STALE_HOURS", "24"),
    # --- dedicated credit reports (domain brief §6) ---
    # Period: default the last 3 years, at most 5 back (the national maximum; a larger value stops the start).
    "REPORT_DEFAULT_YEARS": REPORT_YEARS[0],
    "REPORT_MAX_YEARS": REPORT_YEARS[1],
    # Listings by authorities outside the region: "national" (default) counts those on a national list
    # below wherever listed, "all" every one, "none" only the region's own (as for penalties).
    "REPORT_LISTINGS_ANY_REGION": envchoice("CLEANRECORD_REPORT_LISTINGS_ANY_REGION", "national", LISTINGS_ANY_REGION),
    # 名单类别 of the national lists (exact names as the files give them): they apply everywhere.
    "REPORT_NATIONAL_LIST_TYPES": envlist(
        "CLEANRECORD_REPORT_NATIONAL_LIST_TYPES",
        "失信被执行人,重大税收违法失信主体,拖欠农民工工资失信联合惩戒对象名单,市场监督管理严重违法失信名单,"
        "安全生产严重失信主体名单,政府采购严重违法失信行为记录名单",
    ),
    # 简易程序 (on-the-spot) penalties count by the 2025 national rule; some provinces exclude them.
    "REPORT_INCLUDE_SIMPLE_PROCEDURE": envbool("CLEANRECORD_REPORT_INCLUDE_SIMPLE_PROCEDURE", "true"),
    # Repaired records (信用修复): "label" shows them marked 已修复, "hide" leaves them out.
    "REPORT_REPAIRED_RECORDS": os.getenv("CLEANRECORD_REPORT_REPAIRED_RECORDS", "label"),
    # A domain with no record: {kinds} becomes the kinds searched (行政处罚、行政强制、严重失信). A text without
    # the placeholder (saved before it existed) gets the kinds searched after it.
    "REPORT_NOTHING_FOUND_TEXT": os.getenv(
        "CLEANRECORD_REPORT_NOTHING_FOUND_TEXT", "查询期内，未发现该主体在本领域存在{kinds}记录"
    ),
    # The 刑事 (criminal judgments) section is on every all-domain report; off here, reports on chosen domains omit it.
    "REPORT_JUDGMENTS_ON_SINGLE_DOMAIN": envbool("CLEANRECORD_REPORT_JUDGMENTS_ON_SINGLE_DOMAIN", "true"),
    # --- the report's wording, per city (frozen into each report's snapshot at issue) ---
    # 专用信用报告 (Lanzhou plan) or 专项信用报告 (national rule, 发改财金〔2025〕565号); printed after "经营主体".
    "REPORT_TITLE": os.getenv("CLEANRECORD_REPORT_TITLE", "专用信用报告"),
    "REPORT_LEGAL_BASIS": os.getenv(
        "CLEANRECORD_REPORT_LEGAL_BASIS",
        "本报告依据《兰州市推行经营主体以专用信用报告替代无违法违规记录证明实施方案》"
        "和国家发展改革委等部门有关文件（发改财金〔2025〕565号）出具。",
    ),
    "REPORT_REPLACES_STATEMENT": os.getenv(
        "CLEANRECORD_REPORT_REPLACES_STATEMENT",
        "本报告替代本市公布的替代事项清单所列领域在兰州市行政区域内的无违法违规记录证明，"
        "有关部门和单位应当予以认可，不得要求经营主体另行开具。",
    ),
    # What the report does not cover, one item per entry; in the environment separated by "|".
    "REPORT_NOT_COVERED": [item.strip() for item in os.getenv(
        "CLEANRECORD_REPORT_NOT_COVERED",
        "民事、行政案件的判决和裁定|欠缴税款信息|涉密信息及依法不予公开的信息|兰州市行政区域以外作出的处理决定"
        "|平台数据来源范围以外的其他事项",
    ).split("|") if item.strip()],
    "REPORT_SOURCE_RESPONSIBILITY": os.getenv(
        "CLEANRECORD_REPORT_SOURCE_RESPONSIBILITY",
        "报告所列信息由数据来源单位按照“谁产生、谁负责”的原则对其真实性、准确性负责。",
    ),
    # Records printed in one report at most (typesetting time grows with them); all are in a signed CSV attachment.
    "REPORT_MAX_PRINTED_RECORDS": envint("CLEANRECORD_REPORT_MAX_PRINTED_RECORDS", "3000"),
    "REPORT_NUMBER_PREFIX": os.getenv("CLEANRECORD_REPORT_NUMBER_PREFIX", "LZXY"),
    "REPORT_VALID_DAYS": envint("CLEANRECORD_REPORT_VALID_DAYS", "30"),
    # Reports one entity may be issued per hour: issuing costs a signature and is what abuse would target.
    "REPORT_ISSUE_PER_ENTITY_PER_HOUR": envint("CLEANRECORD_REPORT_ISSUE_PER_ENTITY_PER_HOUR", "30"),
    "API_TOKEN_MAX_DAYS": envint("CLEANRECORD_API_TOKEN_MAX_DAYS", "365"),
    "REPORT_ISSUER": os.getenv("CLEANRECORD_REPORT_ISSUER", "兰州市社会信用体系建设领导小组办公室"),
    "REPORT_SEAL_TEXT": os.getenv("CLEANRECORD_REPORT_SEAL_TEXT", "兰州市社会信用体系建设领导小组办公室"),
    # Where the QR code points: the public address of this site.
    "PUBLIC_BASE_URL": os.getenv("CLEANRECORD_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
    "REPORT_DIR": os.getenv("CLEANRECORD_REPORT_DIR", str(DATA_DIR / "reports")),
    # Report signing (PAdES): paths to a PEM key and certificate (+ a PEM chain of issuers), or to a
    # PKCS#12 file; the passphrase unlocks either. With none, a local CA is made in DATA_DIR/signing.
    "SIGNING_KEY": os.getenv("CLEANRECORD_SIGNING_KEY", ""),
    "SIGNING_CERT": os.getenv("CLEANRECORD_SIGNING_CERT", ""),
    "SIGNING_CHAIN": os.getenv("CLEANRECORD_SIGNING_CHAIN", ""),
    "SIGNING_PKCS12": os.getenv("CLEANRECORD_SIGNING_PKCS12", ""),
    "SIGNING_PASSPHRASE": envsecret("CLEANRECORD_SIGNING_PASSPHRASE"),
    # --- verification ---
    # Unknown codes a client may try before 429: a burst of this many, then one more per refill period.
    "VERIFY_BUDGET": envint("CLEANRECORD_VERIFY_BUDGET", "20"),
    "VERIFY_REFILL_SECONDS": envint("CLEANRECORD_VERIFY_REFILL_SECONDS", "30"),
    "VERIFY_MAX_FILE_BYTES": envint("CLEANRECORD_VERIFY_MAX_FILE_BYTES", str(20 * 1024 * 1024)),
    # Uploaded PDFs beyond these are refused unparsed: ours have 2 revisions, ~4 objects a page (2,800 pages: ~10,000).
    "VERIFY_FILE_MAX_REVISIONS": envint("CLEANRECORD_VERIFY_FILE_MAX_REVISIONS", "10"),
    "VERIFY_FILE_MAX_OBJECTS": envint("CLEANRECORD_VERIFY_FILE_MAX_OBJECTS", "50000"),
    # The signature check runs in a child with this much CPU and wall-clock time, and memory beyond the worker's.
    "VERIFY_FILE_SECONDS": envint("CLEANRECORD_VERIFY_FILE_SECONDS", "3"),
    "VERIFY_FILE_MAX_MEMORY_MB": envint("CLEANRECORD_VERIFY_FILE_MAX_MEMORY_MB", "512"),
    # --- data quality (cleanrecord/quality) ---
    "QUALITY_WINDOW_DAYS": envint("CLEANRECORD_QUALITY_WINDOW_DAYS", "30"),
    "QUALITY_TIMELY_WORKING_DAYS": envint("CLEANRECORD_QUALITY_TIMELY_WORKING_DAYS", "7"),
    "QUALITY_MAX_AMOUNT_WAN": envint("CLEANRECORD_QUALITY_MAX_AMOUNT_WAN", "10000"),
    # e.g. "on_time=0.95,rejection_rate=0.02"; every other measure keeps its default threshold
    "QUALITY_THRESHOLDS": os.getenv("CLEANRECORD_QUALITY_THRESHOLDS", ""),
    # Fine amounts above this many 万元 are rejected as implausible.
    "MAX_FINE_WAN": envint("CLEANRECORD_MAX_FINE_WAN", "1000000"),
    # --- objections and severity explanations (cleanrecord/objections), in working days ---
    # Defaults from the domain brief §8; replace with the Gansu credit regulation's figures.
    "OBJECTION_MARK_DAYS": envint("CLEANRECORD_OBJECTION_MARK_DAYS", "1"),  # the 异议处理中 label (set at once)
    "OBJECTION_ACCEPT_DAYS": envint("CLEANRECORD_OBJECTION_ACCEPT_DAYS", "2"),  # office accepts and forwards
    "OBJECTION_ANSWER_DAYS": envint("CLEANRECORD_OBJECTION_ANSWER_DAYS", "5"),  # the department answers
    "OBJECTION_MAX_DAYS": envint("CLEANRECORD_OBJECTION_MAX_DAYS", "15"),  # hard cap: filed to closed
    "EXPLANATION_DAYS": envint("CLEANRECORD_EXPLANATION_DAYS", "5"),  # a severity explanation is written
    "OBJECTION_EVIDENCE_MAX_BYTES": envint("CLEANRECORD_OBJECTION_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)),
    "OBJECTION_EVIDENCE_MAX_FILES": envint("CLEANRECORD_OBJECTION_EVIDENCE_MAX_FILES", "5"),
    "EVIDENCE_DIR": os.getenv("CLEANRECORD_EVIDENCE_DIR", str(DATA_DIR / "evidence")),
    # --- how fresh each domain's data is (cleanrecord/freshness) ---
    # A department that has neither imported nor confirmed "nothing new" for more than this many working
    # days gives the domains it feeds a printed note on every report.
    "SOURCE_SILENT_WORKDAYS": envint("CLEANRECORD_SOURCE_SILENT_WORKDAYS", "30"),
    # --- audit trail (cleanrecord/audit) ---
    # Key of the audit chain's HMAC: 32 bytes, base64, kept outside the database. Made in the data directory if unset.
    "AUDIT_KEY": envsecret("CLEANRECORD_AUDIT_KEY"),
    # Where signed checkpoints of the chain's head go (audit_checkpoint); "" is DATA_DIR/audit-checkpoints.
    "AUDIT_CHECKPOINT_DIR": os.getenv("CLEANRECORD_AUDIT_CHECKPOINT_DIR", ""),
}
