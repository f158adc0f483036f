"""Every setting a deployment may change, declared once, and the one way the code reads them.

Each `Setting` in REGISTRY names its environment variable, its type, its default and one line of
help. settings.py builds from it with `read_environment()`: a value the type or a rule does not
allow stops every process at start, naming the variable. The platform's own settings
(settings.CLEANRECORD) are then read only through `get(NAME)`, whose value has the declared type.

This module reads the environment and nothing else: the report rules the credit office may change
in its console (`office=True` below) are read through `cleanrecord.reports.rules.rule(NAME)`, where
the office's saved value wins over the environment's.
"""

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

# The national rule: a report looks back at most 5 years. A city may choose fewer, never more (the
# environment is checked at start, the office's console when it saves).
NATIONAL_MAX_YEARS = 5

# Listings by authorities outside the region (REPORT_LISTINGS_ANY_REGION): all count, those on a
# national list count, or none do.
LISTINGS_ANY_REGION = ("all", "national", "none")


class Invalid(ValueError):
    """A value a setting's type does not allow; the message says why, in Chinese."""


def _(message: str) -> str:
    """gettext once the apps are loaded; while settings.py reads the environment translation cannot work yet (it
    needs the settings), so the message stays as written (Chinese, the source language)."""
    return gettext(message) if apps.ready else message


# -- types -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A setting's type: how the environment's text becomes the value the code reads."""

    name: str
    parse: Callable[[str], Any]
    bad_example: str | None = None  # a value it refuses (the registry's test tries each); None: any text is one
    quoted: bool = True  # the refusal quotes the value (integers are shown bare: CLEANRECORD_X=6)


def text(*, required: bool = False) -> Kind:
    def parse(raw: str) -> str:
        if required and not raw.strip():
            raise Invalid(_("不能为空"))
        return raw

    return Kind("text", parse, "" if required else None)


def path(*, required: bool = True, resolve: bool = False) -> Kind:
    """A file or folder, as text (the code makes a Path of it); "" only where it means "not set"."""

    def parse(raw: str) -> str:
        if not raw.strip():
            if required:
                raise Invalid(_("不能为空"))
            return raw
        return str(Path(raw).resolve()) if resolve else raw

    return Kind("path", parse, " " if required else None)


def integer(minimum: int | None = 0, maximum: int | None = None) -> Kind:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise Invalid(_("应为整数")) from None
        if maximum is not None and minimum is not None and not minimum <= value <= maximum:
            raise Invalid(_("应在 %(minimum)s 到 %(maximum)s 之间") % {"minimum": minimum, "maximum": maximum})
        if minimum is not None and value < minimum:
            raise Invalid(_("应不小于 %(minimum)s") % {"minimum": minimum})
        return value

    return Kind("int", parse, "many", quoted=False)


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise Invalid(_("应为 true 或 false（也可写 1/0、yes/no、on/off）"))
    return word in TRUE_WORDS


BOOLEAN = Kind("bool", _boolean, "maybe")


def choice(*choices: str) -> Kind:
    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            raise Invalid(_("应为 %(choices)s 之一") % {"choices": "、".join(choices)})
        return value

    return Kind("choice", parse, "no-such-choice")


def items(separator: str = ",") -> Kind:
    """A list: entries separated by `separator` (a comma may also be full-width), blanks dropped."""

    def parse(raw: str) -> list[str]:
        if separator == ",":
            raw = raw.replace("，", ",")
        return [item.strip() for item in raw.split(separator) if item.strip()]

    return Kind("list", parse)


def _url(raw: str) -> str:
    if not raw.strip().startswith(("http://", "https://")):
        raise Invalid(_("应为以 http:// 或 https:// 开头的网址"))
    return raw


URL = Kind("url", _url, "credit.example.org")


def _optional_url(raw: str) -> str:
    return _url(raw) if raw.strip() else ""


OPTIONAL_URL = Kind("url", _optional_url, "idp.example.org")


def _networks(raw: str) -> list[str]:
    entries = items().parse(raw)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise Invalid(_("%(entry)s 既不是 IP 地址也不是 CIDR 网段") % {"entry": repr(entry)}) from None
    return entries


NETWORKS = Kind("list of networks", _networks, "10.0.0.0/24,proxy.example.org")


def _thresholds(raw: str) -> dict[str, float]:
    """Measure code → threshold, e.g. "on_time=0.95,rejection_rate=0.02" (the quality app checks the codes)."""
    given: dict[str, float] = {}
    for item in raw.replace(" ", "").replace("，", ",").split(","):
        if not item:
            continue
        code, equals, number = item.partition("=")
        try:
            given[code] = float(number)
        except ValueError:
            raise Invalid(_("%(item)s 应写作 指标代码=阈值（如 on_time=0.95），以逗号分隔") % {"item": repr(item)}) from None
        if not code or not equals:
            raise Invalid(_("%(item)s 应写作 指标代码=阈值（如 on_time=0.95），以逗号分隔") % {"item": repr(item)})
    return given


THRESHOLDS = Kind("mapping of decimals", _thresholds, "on_time")


def _schedule(raw: str) -> dict[str, str]:
    """job=HH:MM (daily, local time), job=every:MINUTES, or job=off; comma-separated."""
    given: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, equals, when = (x.strip() for x in item.partition("="))
        if not name or not equals or not _schedule_time_ok(when):
            raise Invalid(_("%(item)s 应写作 任务名=时:分（如 quality_report=01:30）、任务名=every:分钟数 或 任务名=off，"
                            "以逗号分隔") % {"item": repr(item)})
        given[name] = when
    return given


def _schedule_time_ok(when: str) -> bool:
    if when == "off":
        return True
    if when.startswith("every:"):
        return when[6:].isdigit() and int(when[6:]) > 0
    hours, colon, minutes = when.partition(":")
    return bool(colon) and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60


SCHEDULE = Kind("mapping of times", _schedule, "quality_report=25:00")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
TASK_BACKENDS = ("database", "immediate")
FIELD_CIPHERS = ("aes-gcm", "sm4-gcm")
REPAIRED_RECORDS = ("label", "hide")
OIDC_SIGN_ALGOS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256")

# -- the registry -------------------------------------------------------------------------------------

# A default is the environment's text, or made from the values read before it (and BASE_DIR).
Default = str | Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Setting:
    name: str  # the key in settings.CLEANRECORD, or the Django setting settings.py makes of it
    env: str
    kind: Kind
    default: Default
    help: str
    platform: bool = True  # in settings.CLEANRECORD, read with get(); False: settings.py makes a Django setting of it
    secret: bool = False  # ENV_FILE may name a file that holds the value (docker/k8s secrets)
    office: bool = False  # the office may override it in its console: read with reports.rules.rule()
    older_env: str = ""  # an earlier name of the variable, still read when `env` is not set
    # A rule across settings, given the value and those read before it: the reason it is broken, or None.
    check: Callable[[Any, Mapping[str, Any]], str | None] | None = None


def _max_years(value: int, values: Mapping[str, Any]) -> str | None:
    if not 1 <= value <= NATIONAL_MAX_YEARS:
        return _("最长追溯年限应在 1 到 %(most)s 年之间（国家规定查询期最长追溯 %(most)s 年）") % {"most": NATIONAL_MAX_YEARS}
    return None


def _default_years(value: int, values: Mapping[str, Any]) -> str | None:
    if not 1 <= value <= values["REPORT_MAX_YEARS"]:
        return _("默认查询年限应在 1 年到最长追溯年限（%(most)s 年）之间") % {"most": values["REPORT_MAX_YEARS"]}
    return None


def _oidc_client_id(value: str, values: Mapping[str, Any]) -> str | None:
    if values["OIDC_ISSUER"] and not value.strip():
        return _("设置了 CLEANRECORD_OIDC_ISSUER 时须同时设置在身份认证服务注册的客户端标识")
    return None


def _in_data_dir(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda values: str(Path(values["DATA_DIR"]) / name)


NATIONAL_LIST_TYPES = ("失信被执行人,重大税收违法失信主体,拖欠农民工工资失信联合惩戒对象名单,市场监督管理严重违法失信名单,"
                       "安全生产严重失信主体名单,政府采购严重违法失信行为记录名单")
NOT_COVERED = ("民事、行政案件的判决和裁定|欠缴税款信息|涉密信息及依法不予公开的信息|兰州市行政区域以外作出的处理决定"
               "|平台数据来源范围以外的其他事项")
MB = 1024 * 1024

SETTINGS = (
    # --- where the platform keeps things, and Django's own switches ---
    Setting("DATA_DIR", "CLEANRECORD_DATA_DIR", path(resolve=True), lambda v: str(v["BASE_DIR"] / "var"),
            "Database (SQLite), keys, reports, error files: everything the platform writes.", platform=False),
    # Uploads waiting to be read, and copies an import reads from: never in the shared /tmp, swept by sweep_imports.
    Setting("TEMP_DIR", "CLEANRECORD_TEMP_DIR", path(resolve=True), _in_data_dir("tmp"),
            "Uploads waiting to be read (Django's upload folder too; never /tmp)."),
    Setting("DATABASE_URL", "DATABASE_URL", text(), "",
            "The database, e.g. postgresql://user@host:5432/cleanrecord; empty: SQLite in the data directory.",
            platform=False),
    Setting("DB_CONN_MAX_AGE", "DB_CONN_MAX_AGE", integer(0), "60",
            "Seconds a database connection is kept between requests.", platform=False),
    Setting("DATABASE_REPLICA_URL", "DATABASE_REPLICA_URL", text(), "",
            "A PostgreSQL streaming replica of DATABASE_URL that verification, the public pages and report downloads "
            "read from; empty: everything reads the primary.", platform=False),
    Setting("REPLICA_MAX_LAG_SECONDS", "CLEANRECORD_REPLICA_MAX_LAG_SECONDS", integer(0, 3600), "10",
            "Reads go back to the primary while the replica is this many seconds or more behind it."),
    Setting("CACHE_URL", "CLEANRECORD_CACHE_URL", text(), "",
            "Redis shared by the web servers, e.g. redis://127.0.0.1:6379/0; empty: each process's memory.",
            platform=False),
    Setting("SECRET_KEY", "SECRET_KEY", text(), "", "Django's secret key; empty: one made in the data directory.",
            platform=False, secret=True),
    Setting("DEBUG", "DEBUG", BOOLEAN, "false", "Django's debug pages (never in production).", platform=False),
    # --- the production server (manage.py serve) and its task worker (manage.py worker) ---
    Setting("PORT", "PORT", integer(1, 65535), "8000", "Port manage.py serve listens on."),
    Setting("HOST", "CLEANRECORD_HOST", text(required=True), "127.0.0.1",
            "Address manage.py serve listens on (0.0.0.0: every interface, e.g. behind a proxy on another host)."),
    Setting("WEB_WORKERS", "CLEANRECORD_WEB_WORKERS", integer(1, 64), "2",
            "Gunicorn worker processes started by manage.py serve."),
    Setting("TASK_BACKEND", "CLEANRECORD_TASK_BACKEND", choice(*TASK_BACKENDS), "database",
            "Where background tasks run: database (a worker process) or immediate (in the request).",
            platform=False),
    Setting("TASK_MAX_ATTEMPTS", "CLEANRECORD_TASK_MAX_ATTEMPTS", integer(1, 10), "3",
            "Attempts of a failing background task before it is reported as failed."),
    Setting("TASK_RETRY_SECONDS", "CLEANRECORD_TASK_RETRY_SECONDS", integer(0), "60",
            "Wait before a failed task's second attempt; doubled for each later one."),
    Setting("WORKER_STALE_SECONDS", "CLEANRECORD_WORKER_STALE_SECONDS", integer(10), "120",
            "Readiness fails when no worker has written its heartbeat for this many seconds."),
    Setting("SCHEDULE", "CLEANRECORD_SCHEDULE", SCHEDULE, "",
            "Times of the scheduled jobs over their defaults, e.g. quality_report=01:30,import_sweep=off."),
    Setting("ALLOWED_HOSTS", "ALLOWED_HOSTS", items(), "127.0.0.1,localhost,testserver",
            "Host names the site answers to, comma-separated.", platform=False),
    Setting("CSRF_TRUSTED_ORIGINS", "CSRF_TRUSTED_ORIGINS", items(), "",
            "Origins trusted for form posts, comma-separated (https://host).", platform=False),
    Setting("TIME_ZONE", "TIME_ZONE", text(required=True), "Asia/Shanghai", "The local time zone.", platform=False),
    Setting("LOG_LEVEL", "LOG_LEVEL", choice(*LOG_LEVELS), "INFO", "Console log level of the platform's loggers.",
            platform=False),
    Setting("DJANGO_LOG_LEVEL", "DJANGO_LOG_LEVEL", choice(*LOG_LEVELS), "ERROR",
            "Console log level of Django's loggers (unhandled errors, refused hosts).", platform=False),
    # text for a person reading the console; json for a log shipper: one object a line (docs/deploy.md).
    Setting("LOG_FORMAT", "CLEANRECORD_LOG_FORMAT", choice(*LOG_FORMATS), "text",
            "Console log lines as text, or as one JSON object a line (for a log shipper).", platform=False),
    # --- metrics (/metrics, Prometheus text format; cleanrecord/metrics.py) ---
    Setting("METRICS_TOKEN", "CLEANRECORD_METRICS_TOKEN", text(), "",
            "Bearer token a scraper sends to read /metrics; empty: no token opens it.", secret=True),
    Setting("METRICS_ADDRESSES", "CLEANRECORD_METRICS_ADDRESSES", NETWORKS, "",
            "Client addresses or CIDR networks (comma-separated) that may read /metrics without a token."),
    Setting("METRICS_DIR", "CLEANRECORD_METRICS_DIR", path(), _in_data_dir("metrics"),
            "Where the web server's worker processes share their request timings (emptied when the server starts)."),
    # --- security ---
    Setting("HTTPS", "HTTPS", BOOLEAN, "false", "Served over TLS: secure cookies and HSTS.", platform=False,
            older_env="SECURE_COOKIES"),
    Setting("HSTS_SECONDS", "HSTS_SECONDS", integer(0), "31536000", "HSTS max-age in seconds, when HTTPS is on.",
            platform=False),
    # Behind a TLS-terminating proxy Django sees plain HTTP; trust its X-Forwarded-Proto only when told to,
    # since a client could send the header itself when no proxy strips it.
    Setting("TRUST_X_FORWARDED_PROTO", "TRUST_X_FORWARDED_PROTO", BOOLEAN, "false",
            "Believe the proxy's X-Forwarded-Proto (only behind a proxy that sets it).", platform=False),
    Setting("LOGIN_FAILURE_LIMIT", "LOGIN_FAILURE_LIMIT", integer(1), "5",
            "Wrong passwords for one username from one address before the pair is locked out.", platform=False),
    Setting("LOGIN_COOLOFF_MINUTES", "LOGIN_COOLOFF_MINUTES", integer(0), "30", "Minutes a lockout lasts.",
            platform=False),
    Setting("TRUSTED_PROXIES", "CLEANRECORD_TRUSTED_PROXIES", NETWORKS, "",
            "Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For names the client."),
    # Keys for personal ID numbers at rest and for the audit chain: 32 bytes, base64; made in the data directory if unset.
    Setting("FIELD_KEY", "CLEANRECORD_FIELD_KEY", text(), "",
            "32 bytes, base64: the key of personal ID numbers at rest; empty: made in the data directory.", secret=True),
    # Values written with either cipher stay readable after a switch.
    Setting("FIELD_CIPHER", "CLEANRECORD_FIELD_CIPHER", choice(*FIELD_CIPHERS), "aes-gcm",
            "Cipher of new values: aes-gcm, or sm4-gcm where 国密 is required."),
    Setting("AUDIT_KEY", "CLEANRECORD_AUDIT_KEY", text(), "",
            "32 bytes, base64: HMAC key of the audit chain, kept outside the database; empty: made in the data "
            "directory.", secret=True),
    Setting("AUDIT_CHECKPOINT_DIR", "CLEANRECORD_AUDIT_CHECKPOINT_DIR", path(required=False), "",
            "Where signed checkpoints of the audit chain's head go; empty: DATA_DIR/audit-checkpoints."),
    # --- backups (cleanrecord/backup): the keys in a backup are encrypted with this passphrase ---
    Setting("BACKUP_PASSPHRASE", "CLEANRECORD_BACKUP_PASSPHRASE", text(), "",
            "Passphrase that encrypts the keys in a backup (at least 8 characters); empty: asked for at the prompt.",
            secret=True),
    Setting("BACKUP_DIR", "CLEANRECORD_BACKUP_DIR", path(required=False), "",
            "Where the scheduled backup writes, one folder per run; empty: no scheduled backup."),
    Setting("BACKUP_KEEP", "CLEANRECORD_BACKUP_KEEP", integer(1), "7",
            "Scheduled backups kept in BACKUP_DIR; older ones are deleted after a backup succeeds."),
    # --- sign-in of entities through the government identity service (OpenID Connect; cleanrecord/signin) ---
    Setting("OIDC_ISSUER", "CLEANRECORD_OIDC_ISSUER", OPTIONAL_URL, "",
            "Issuer of the identity service (统一身份认证 / 电子营业执照), its endpoints discovered from "
            "ISSUER/.well-known/openid-configuration; empty: no such sign-in."),
    Setting("OIDC_CLIENT_ID", "CLEANRECORD_OIDC_CLIENT_ID", text(), "", "This platform's client id there.",
            check=_oidc_client_id),
    Setting("OIDC_CLIENT_SECRET", "CLEANRECORD_OIDC_CLIENT_SECRET", text(), "", "This platform's client secret there.",
            secret=True),
    Setting("OIDC_SCOPES", "CLEANRECORD_OIDC_SCOPES", text(required=True), "openid profile",
            "Scopes asked for, space-separated."),
    Setting("OIDC_SIGN_ALGO", "CLEANRECORD_OIDC_SIGN_ALGO", choice(*OIDC_SIGN_ALGOS), "RS256",
            "The algorithm the service signs ID tokens with; tokens signed otherwise are refused."),
    Setting("OIDC_AUTHORIZATION_ENDPOINT", "CLEANRECORD_OIDC_AUTHORIZATION_ENDPOINT", OPTIONAL_URL, "",
            "The authorization endpoint, when the service publishes no discovery document; empty: discovered."),
    Setting("OIDC_TOKEN_ENDPOINT", "CLEANRECORD_OIDC_TOKEN_ENDPOINT", OPTIONAL_URL, "",
            "The token endpoint; empty: discovered."),
    Setting("OIDC_USERINFO_ENDPOINT", "CLEANRECORD_OIDC_USERINFO_ENDPOINT", OPTIONAL_URL, "",
            "The userinfo endpoint; empty: discovered (none there: the ID token's claims only)."),
    Setting("OIDC_JWKS_ENDPOINT", "CLEANRECORD_OIDC_JWKS_ENDPOINT", OPTIONAL_URL, "",
            "The service's signing keys (JWKS); empty: discovered."),
    Setting("OIDC_TIMEOUT", "CLEANRECORD_OIDC_TIMEOUT", integer(1, 120), "10",
            "Seconds to wait for the identity service's answer."),
    Setting("OIDC_CREDIT_CODE_CLAIM", "CLEANRECORD_OIDC_CREDIT_CODE_CLAIM", text(required=True), "credit_code",
            "Claim holding the unified social credit code of the entity the person signs in for."),
    Setting("OIDC_ROLE_CLAIM", "CLEANRECORD_OIDC_ROLE_CLAIM", text(required=True), "role",
            "Claim holding the person's role for that entity."),
    Setting("OIDC_LEGAL_REP_ROLES", "CLEANRECORD_OIDC_LEGAL_REP_ROLES", items(), "legal_rep,法定代表人,负责人",
            "Values of the role claim that mean legal representative (any other value: staff)."),
    Setting("OIDC_ID_NUMBER_CLAIM", "CLEANRECORD_OIDC_ID_NUMBER_CLAIM", text(required=True), "id_number",
            "Claim holding the person's ID number: staff are matched by it to the legal representative's "
            "authorisation."),
    Setting("OIDC_NAME_CLAIM", "CLEANRECORD_OIDC_NAME_CLAIM", text(required=True), "name",
            "Claim holding the person's name."),
    # --- the platform ---
    Setting("REFERENCE_DIR", "CLEANRECORD_REFERENCE_DIR", path(),
            lambda v: str(v["BASE_DIR"] / "cleanrecord/reference/data/lanzhou"),
            "The city's reference data: region.json, domains.csv, departments.csv."),
    Setting("PLATFORM_NAME", "CLEANRECORD_PLATFORM_NAME", text(required=True), "信用中国（甘肃兰州）信用信息共享平台",
            "Name in the page header, e-mails and the signing certificate."),
    Setting("PUBLIC_BASE_URL", "CLEANRECORD_PUBLIC_BASE_URL", URL, "http://127.0.0.1:8000",
            "The public address of this site, where the QR code points."),
    Setting("SPONSOR", "CLEANRECORD_SPONSOR", text(required=True), "兰州市社会信用体系建设领导小组办公室",
            "主办单位 in every page's footer."),
    Setting("CONTACT", "CLEANRECORD_CONTACT", text(), "12345 政务服务便民热线",
            "联系方式 in every page's footer (a telephone number, an address, office hours)."),
    Setting("ICP", "CLEANRECORD_ICP", text(), "",
            "The site's ICP filing number (备案号) in the footer, linked to beian.miit.gov.cn; empty: none shown."),
    # --- imports ---
    Setting("IMPORT_DIR", "CLEANRECORD_IMPORT_DIR", path(), _in_data_dir("imports"),
            "Where import error files are kept, and the locks of imports running (running/)."),
    Setting("IMPORT_MAX_BYTES", "CLEANRECORD_IMPORT_MAX_BYTES", integer(1), str(200 * MB),
            "Largest import file accepted through the web and the API, in bytes."),
    Setting("IMPORT_MAX_ROWS", "CLEANRECORD_IMPORT_MAX_ROWS", integer(1), "2000000",
            "Rows in one imported file: twice the largest file benchmarked (1M rows)."),
    Setting("IMPORT_MAX_COLUMNS", "CLEANRECORD_IMPORT_MAX_COLUMNS", integer(1), "200",
            "Columns of a row or of a sheet's declared width (the national layouts have at most 40)."),
    Setting("IMPORT_MAX_CELLS", "CLEANRECORD_IMPORT_MAX_CELLS", integer(1), "50000000",
            "Cells of one sheet, declared or read (a 1M-row national-layout file has 37M)."),
    Setting("IMPORT_MAX_UNPACKED_BYTES", "CLEANRECORD_IMPORT_MAX_UNPACKED_BYTES", integer(1), str(1024 * MB),
            "Bytes all members of an XLSX unpack to, from its zip directory: a zip bomb is refused unread."),
    Setting("IMPORT_MAX_ZIP_MEMBERS", "CLEANRECORD_IMPORT_MAX_ZIP_MEMBERS", integer(1), "1000",
            "Members of an XLSX zip (a workbook has a dozen plus one per sheet)."),
    Setting("IMPORT_MEMORY_LIMIT_MB", "CLEANRECORD_IMPORT_MEMORY_LIMIT_MB", integer(1), "2048",
            "Address space (MB) of the child process that reads an imported file."),
    Setting("IMPORT_STALE_HOURS", "CLEANRECORD_IMPORT_STALE_HOURS", integer(1), "24",
            "A running import whose process left no trace on this host is called interrupted after this many hours."),
    Setting("MAX_FINE_WAN", "CLEANRECORD_MAX_FINE_WAN", integer(1), "1000000",
            "Fine amounts above this many 万元 are rejected as implausible."),
    # --- dedicated credit reports (domain brief §6) ---
    # Period: default the last 3 years, at most 5 back (the national maximum; a larger value stops the start).
    Setting("REPORT_MAX_YEARS", "CLEANRECORD_REPORT_MAX_YEARS", integer(None), "5",
            "Years a report may look back, 1 to 5 (the national maximum).", office=True, check=_max_years),
    Setting("REPORT_DEFAULT_YEARS", "CLEANRECORD_REPORT_DEFAULT_YEARS", integer(None), "3",
            "Years a report looks back unless asked otherwise, 1 to REPORT_MAX_YEARS.", office=True,
            check=_default_years),
    Setting("REPORT_LISTINGS_ANY_REGION", "CLEANRECORD_REPORT_LISTINGS_ANY_REGION", choice(*LISTINGS_ANY_REGION),
            "national", "Listings by authorities outside the region: national (those on a national list count), "
            "all, none."),
    Setting("REPORT_NATIONAL_LIST_TYPES", "CLEANRECORD_REPORT_NATIONAL_LIST_TYPES", items(), NATIONAL_LIST_TYPES,
            "名单类别 of the national lists (comma-separated, exact names): they count wherever listed."),
    Setting("REPORT_INCLUDE_SIMPLE_PROCEDURE", "CLEANRECORD_REPORT_INCLUDE_SIMPLE_PROCEDURE", BOOLEAN, "true",
            "简易程序 (on-the-spot) penalties count, as the 2025 national rule says; some provinces exclude them.",
            office=True),
    Setting("REPORT_REPAIRED_RECORDS", "CLEANRECORD_REPORT_REPAIRED_RECORDS", choice(*REPAIRED_RECORDS), "label",
            "Repaired records (信用修复): label shows them marked 已修复, hide leaves them out.", office=True),
    Setting("REPORT_NOTHING_FOUND_TEXT", "CLEANRECORD_REPORT_NOTHING_FOUND_TEXT", text(required=True),
            "查询期内，未发现{kinds}记录",
            "A domain with no record; {kinds} becomes the kinds searched (without it they follow the text).",
            office=True),
    Setting("REPORT_JUDGMENTS_ON_SINGLE_DOMAIN", "CLEANRECORD_REPORT_JUDGMENTS_ON_SINGLE_DOMAIN", BOOLEAN, "true",
            "The 刑事 section on reports for chosen domains too (all-domain reports always have it)."),
    # --- the report's wording, per city (frozen into each report's snapshot at issue) ---
    Setting("REPORT_TITLE", "CLEANRECORD_REPORT_TITLE", text(required=True), "专用信用报告",
            "The report's name, printed after 经营主体 (专项信用报告 is the national rule's name)."),
    Setting("REPORT_LEGAL_BASIS", "CLEANRECORD_REPORT_LEGAL_BASIS", text(),
            "本报告依据《兰州市推行经营主体以专用信用报告替代无违法违规记录证明实施方案》"
            "和国家发展改革委等部门有关文件（发改财金〔2025〕565号）出具。", "The legal basis sentence under the title."),
    Setting("REPORT_REPLACES_STATEMENT", "CLEANRECORD_REPORT_REPLACES_STATEMENT", text(),
            "本报告替代本市公布的替代事项清单所列领域在兰州市行政区域内的无违法违规记录证明，"
            "有关部门和单位应当予以认可，不得要求经营主体另行开具。",
            "That the report replaces the certificates the city lists and must be accepted."),
    Setting("REPORT_NOT_COVERED", "CLEANRECORD_REPORT_NOT_COVERED", items("|"), NOT_COVERED,
            "What the report does not cover, items separated by |, printed in 说明."),
    Setting("REPORT_SOURCE_RESPONSIBILITY", "CLEANRECORD_REPORT_SOURCE_RESPONSIBILITY", text(),
            "报告所列信息由数据来源单位按照“谁产生、谁负责”的原则对其真实性、准确性负责。",
            "That source departments answer for their data."),
    Setting("REPORT_MAX_PRINTED_RECORDS", "CLEANRECORD_REPORT_MAX_PRINTED_RECORDS", integer(1), "3000",
            "Records printed in one report at most; all are in a signed CSV attachment."),
    Setting("REPORT_NUMBER_PREFIX", "CLEANRECORD_REPORT_NUMBER_PREFIX", text(required=True), "LZXY",
            "The first part of a report's number (LZXY-YYYYMMDD-NNNNNN)."),
    Setting("REPORT_VALID_DAYS", "CLEANRECORD_REPORT_VALID_DAYS", integer(1, 365), "30",
            "Days a report is valid after issue, 1 to 365.", office=True),
    Setting("REPORT_ISSUE_PER_ENTITY_PER_HOUR", "CLEANRECORD_REPORT_ISSUE_PER_ENTITY_PER_HOUR", integer(1), "30",
            "Reports one entity may be issued per hour (each costs a signature)."),
    Setting("GROUP_REPORT_MAX_SUBSIDIARIES", "CLEANRECORD_GROUP_REPORT_MAX_SUBSIDIARIES", integer(1, 500), "50",
            "Subsidiaries one group batch may cover at most (issued in the request, one report each)."),
    Setting("REPORT_ISSUER", "CLEANRECORD_REPORT_ISSUER", text(required=True), "兰州市社会信用体系建设领导小组办公室",
            "Who issues the reports, as printed."),
    Setting("REPORT_SEAL_TEXT", "CLEANRECORD_REPORT_SEAL_TEXT", text(required=True),
            "兰州市社会信用体系建设领导小组办公室", "The text around the report's seal."),
    Setting("REPORT_DIR", "CLEANRECORD_REPORT_DIR", path(), _in_data_dir("reports"), "Where issued reports are kept."),
    Setting("API_TOKEN_MAX_DAYS", "CLEANRECORD_API_TOKEN_MAX_DAYS", integer(1), "365",
            "The longest an API token may live, in days."),
    # --- report signing (PAdES): PEM key and certificate (+ chain), or PKCS#12; none: a local CA in DATA_DIR/signing ---
    Setting("SIGNING_KEY", "CLEANRECORD_SIGNING_KEY", path(required=False), "", "PEM private key that signs reports."),
    Setting("SIGNING_CERT", "CLEANRECORD_SIGNING_CERT", path(required=False), "", "PEM certificate of that key."),
    Setting("SIGNING_CHAIN", "CLEANRECORD_SIGNING_CHAIN", path(required=False), "",
            "PEM chain of the certificate's issuers."),
    Setting("SIGNING_PKCS12", "CLEANRECORD_SIGNING_PKCS12", path(required=False), "",
            "A PKCS#12 file with key, certificate and chain (instead of the three above)."),
    Setting("SIGNING_PASSPHRASE", "CLEANRECORD_SIGNING_PASSPHRASE", text(), "",
            "Unlocks the signing key or the PKCS#12 file.", secret=True),
    # --- verification ---
    # Unknown codes a client may try before 429: a burst of this many, then one more per refill period.
    Setting("VERIFY_BUDGET", "CLEANRECORD_VERIFY_BUDGET", integer(1), "20",
            "Unknown codes a client may try in a burst before 429."),
    Setting("VERIFY_REFILL_SECONDS", "CLEANRECORD_VERIFY_REFILL_SECONDS", integer(1), "30",
            "One more try every this many seconds."),
    Setting("VERIFY_LOG_BATCH_SECONDS", "CLEANRECORD_VERIFY_LOG_BATCH_SECONDS", integer(0, 60), "1",
            "Verification log entries wait in each web process's spool file at most about this long, then go into the "
            "database in one batch; 0: each entry is written in its request."),
    Setting("VERIFY_LOG_BATCH_SIZE", "CLEANRECORD_VERIFY_LOG_BATCH_SIZE", integer(1, 100_000), "500",
            "A spool holding this many verification log entries is written at once, before its time is up."),
    Setting("VERIFY_MAX_FILE_BYTES", "CLEANRECORD_VERIFY_MAX_FILE_BYTES", integer(1), str(20 * MB),
            "Largest PDF accepted for checking, in bytes."),
    # Uploaded PDFs beyond these are refused unparsed: ours have 2 revisions, ~4 objects a page (2,800 pages: ~10,000).
    Setting("VERIFY_FILE_MAX_REVISIONS", "CLEANRECORD_VERIFY_FILE_MAX_REVISIONS", integer(1), "10",
            "Revisions of an uploaded PDF (ours have 2)."),
    Setting("VERIFY_FILE_MAX_OBJECTS", "CLEANRECORD_VERIFY_FILE_MAX_OBJECTS", integer(1), "50000",
            "Objects of an uploaded PDF (a 70-page report has 258)."),
    # The signature check runs in a child with this much CPU and wall-clock time, and memory beyond the worker's.
    Setting("VERIFY_FILE_SECONDS", "CLEANRECORD_VERIFY_FILE_SECONDS", integer(1), "3",
            "CPU and wall-clock seconds of an uploaded PDF's signature check."),
    Setting("VERIFY_FILE_MAX_MEMORY_MB", "CLEANRECORD_VERIFY_FILE_MAX_MEMORY_MB", integer(1), "512",
            "Memory (MB) of that check beyond the worker's."),
    # --- data quality (cleanrecord/quality) ---
    Setting("QUALITY_WINDOW_DAYS", "CLEANRECORD_QUALITY_WINDOW_DAYS", integer(1), "30",
            "Silent departments and domains, the rejection rate and timeliness look at the last this many days."),
    Setting("QUALITY_TIMELY_WORKING_DAYS", "CLEANRECORD_QUALITY_TIMELY_WORKING_DAYS", integer(1), "7",
            "双公示: a decision is published within this many working days."),
    Setting("QUALITY_MAX_AMOUNT_WAN", "CLEANRECORD_QUALITY_MAX_AMOUNT_WAN", integer(1), "10000",
            "Fines and confiscations above this many 万元 are flagged for checking (often 元 typed as 万元)."),
    Setting("QUALITY_THRESHOLDS", "CLEANRECORD_QUALITY_THRESHOLDS", THRESHOLDS, "",
            "Measure thresholds over their defaults, e.g. on_time=0.95,rejection_rate=0.02."),
    # --- objections and severity explanations (cleanrecord/objections), in working days (domain brief §8) ---
    Setting("OBJECTION_MARK_DAYS", "CLEANRECORD_OBJECTION_MARK_DAYS", integer(0), "1",
            "Working days to set the 异议处理中 label (set at once)."),
    Setting("OBJECTION_ACCEPT_DAYS", "CLEANRECORD_OBJECTION_ACCEPT_DAYS", integer(1), "2",
            "Working days for the office to accept and forward an objection."),
    Setting("OBJECTION_ANSWER_DAYS", "CLEANRECORD_OBJECTION_ANSWER_DAYS", integer(1), "5",
            "Working days for the department to answer."),
    Setting("OBJECTION_MAX_DAYS", "CLEANRECORD_OBJECTION_MAX_DAYS", integer(1), "15",
            "Working days from filed to closed at most."),
    Setting("EXPLANATION_DAYS", "CLEANRECORD_EXPLANATION_DAYS", integer(1), "5",
            "Working days to write a severity explanation."),
    Setting("OBJECTION_EVIDENCE_MAX_BYTES", "CLEANRECORD_OBJECTION_EVIDENCE_MAX_BYTES", integer(1), str(10 * MB),
            "Largest evidence file of an objection, in bytes."),
    Setting("OBJECTION_EVIDENCE_MAX_FILES", "CLEANRECORD_OBJECTION_EVIDENCE_MAX_FILES", integer(1), "5",
            "Evidence files of one objection."),
    Setting("EVIDENCE_DIR", "CLEANRECORD_EVIDENCE_DIR", path(), _in_data_dir("evidence"),
            "Where objection evidence is kept (encrypted)."),
    # --- feedback when a unit refuses the report (cleanrecord/acceptance) ---
    Setting("REFUSAL_HANDLE_DAYS", "CLEANRECORD_REFUSAL_HANDLE_DAYS", integer(1), "5",
            "Working days for the office to handle a refusal feedback."),
    Setting("REFUSAL_BUDGET", "CLEANRECORD_REFUSAL_BUDGET", integer(1), "5",
            "Refusal feedbacks a client may file in a burst before 429."),
    Setting("REFUSAL_REFILL_SECONDS", "CLEANRECORD_REFUSAL_REFILL_SECONDS", integer(1), "720",
            "One more refusal feedback every this many seconds."),
    # --- how fresh each domain's data is (cleanrecord/freshness) ---
    Setting("SOURCE_SILENT_WORKDAYS", "CLEANRECORD_SOURCE_SILENT_WORKDAYS", integer(1), "30",
            "A department silent this many working days gives the domains it feeds a printed note."),
    # --- e-mail for notifications (objections, explanations); the console backend prints them ---
    Setting("EMAIL_BACKEND", "CLEANRECORD_EMAIL_BACKEND", text(required=True),
            "django.core.mail.backends.console.EmailBackend", "Django e-mail backend.", platform=False),
    Setting("EMAIL_HOST", "CLEANRECORD_EMAIL_HOST", text(), "localhost", "SMTP server.", platform=False),
    Setting("EMAIL_PORT", "CLEANRECORD_EMAIL_PORT", integer(1, 65535), "25", "SMTP port.", platform=False),
    Setting("EMAIL_HOST_USER", "CLEANRECORD_EMAIL_USER", text(), "", "SMTP user.", platform=False),
    Setting("EMAIL_HOST_PASSWORD", "CLEANRECORD_EMAIL_PASSWORD", text(), "", "SMTP password.", platform=False,
            secret=True),
    Setting("EMAIL_USE_TLS", "CLEANRECORD_EMAIL_USE_TLS", BOOLEAN, "false", "SMTP over STARTTLS.", platform=False),
    Setting("DEFAULT_FROM_EMAIL", "CLEANRECORD_EMAIL_FROM", text(required=True), "noreply@credit.lanzhou.example",
            "Sender of the platform's e-mail.", platform=False),
)

REGISTRY: dict[str, Setting] = {s.name: s for s in SETTINGS}


# -- reading the environment (settings.py, once per process) ------------------------------------------


def read_environment(environ: Mapping[str, str], base_dir: Path) -> dict[str, Any]:
    """Every declared setting's value, by name, from `environ`; the first wrong value raises
    ImproperlyConfigured naming its variable and why."""
    values: dict[str, Any] = {"BASE_DIR": Path(base_dir)}
    for setting in SETTINGS:
        values[setting.name] = _read(setting, environ, values)
    del values["BASE_DIR"]
    return values


def _read(setting: Setting, environ: Mapping[str, str], values: Mapping[str, Any]) -> Any:
    raw = _raw(setting, environ, values)
    try:
        value = setting.kind.parse(raw)
    except Invalid as refused:
        raise ImproperlyConfigured(f"{setting.env}={_shown(setting, raw)}：{refused}") from None
    broken = setting.check(value, values) if setting.check else None
    if broken:
        raise ImproperlyConfigured(f"{setting.env}={_shown(setting, value)}：{broken}")
    return value


def _raw(setting: Setting, environ: Mapping[str, str], values: Mapping[str, Any]) -> str:
    file = environ.get(f"{setting.env}_FILE") if setting.secret else None
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(_("%(env)s_FILE=%(file)s：无法读取（%(error)s）")
                                      % {"env": setting.env, "file": repr(file), "error": error.strerror}) from None
    if setting.env in environ:
        return environ[setting.env]
    if setting.older_env and setting.older_env in environ:
        return environ[setting.older_env]
    return _default_text(setting, values)


def _default_text(setting: Setting, values: Mapping[str, Any]) -> str:
    return setting.default(values) if callable(setting.default) else setting.default


def _shown(setting: Setting, value: Any) -> str:
    return str(value).strip() if not setting.kind.quoted else repr(value)


def platform_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """settings.CLEANRECORD: the declared settings the platform reads with get()."""
    return {s.name: values[s.name] for s in SETTINGS if s.platform}


# -- reading a setting ----------------------------------------------------------------------------------


def get(name: str) -> Any:
    """The value of a platform setting, of its declared type (see REGISTRY)."""
    setting = declared(name)
    if setting.office:
        raise ImproperlyConfigured(f"{name} may be changed by the office: read it with cleanrecord.reports.rules.rule()")
    return _value(setting)


def environment(name: str) -> Any:
    """A platform setting's value from the environment, whatever the office has saved (for reports.rules)."""
    return _value(declared(name))


def declared(name: str) -> Setting:
    setting = REGISTRY.get(name)
    if setting is None or not setting.platform:
        raise ImproperlyConfigured(f"{name} is not a platform setting: declare it in cleanrecord.conf.SETTINGS")
    return setting


def _value(setting: Setting) -> Any:
    values = settings.CLEANRECORD
    if setting.name in values:
        return values[setting.name]
    # Dropped from settings.CLEANRECORD (tests do): the declared default.
    return setting.kind.parse(_default_text(setting, {"BASE_DIR": Path(settings.BASE_DIR),
                                                       "DATA_DIR": str(settings.DATA_DIR)}))


def reference_dir() -> Path:
    return Path(get("REFERENCE_DIR"))


def import_dir() -> Path:
    folder = Path(get("IMPORT_DIR"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
