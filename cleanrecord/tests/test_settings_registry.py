"""The settings registry (cleanrecord/conf.py): every variable declared once, documented in the README,
checked at start; the code reads the platform's settings through conf.get() and nowhere else."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from cleanrecord import conf
from cleanrecord.reports import rules
from cleanrecord.reports.models import RuleSettings

ROOT = Path(django_settings.BASE_DIR)
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def readme_configuration_variables() -> list[str]:
    """The variables in the first column of every table of the README's "Configuration" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith(("| variable", "| ---")):
            found += VARIABLE.findall(line.split("|")[1])
    return found


def test_the_readme_tables_list_exactly_the_registry_once_each():
    listed = readme_configuration_variables()
    declared = {s.env for s in conf.SETTINGS}
    assert sorted(set(listed) - declared) == [], "in the README, not in cleanrecord/conf.py"
    assert sorted(declared - set(listed)) == [], "in cleanrecord/conf.py, not in the README"
    assert len(listed) == len(set(listed)), "a variable listed twice"


def test_each_setting_is_declared_once_with_help_and_a_valid_default(tmp_path):
    assert len({s.name for s in conf.SETTINGS}) == len({s.env for s in conf.SETTINGS}) == len(conf.SETTINGS)
    for setting in conf.SETTINGS:
        assert setting.help.strip() and "\n" not in setting.help, setting.name
    values = conf.read_environment({}, tmp_path)  # every default is a value its type and checks allow
    assert values["REPORT_MAX_YEARS"] == 5 and values["REPORT_DEFAULT_YEARS"] == 3
    assert values["REPORT_INCLUDE_SIMPLE_PROCEDURE"] is True and values["TRUSTED_PROXIES"] == []
    assert values["IMPORT_DIR"] == str(tmp_path.resolve() / "var" / "imports")
    assert values["REPORT_NOT_COVERED"][0] == "民事、行政案件的判决和裁定" and len(values["REPORT_NOT_COVERED"]) == 5


def test_values_are_read_into_their_types(tmp_path):
    secret = tmp_path / "passphrase"
    secret.write_text("s3cret\n", encoding="utf-8")
    values = conf.read_environment({
        "CLEANRECORD_IMPORT_MAX_ROWS": "10", "DEBUG": "On", "CLEANRECORD_TRUSTED_PROXIES": "10.0.0.0/24， 192.0.2.10",
        "CLEANRECORD_REPORT_NOT_COVERED": "甲| 乙 |", "CLEANRECORD_QUALITY_THRESHOLDS": "on_time=0.9, rejection_rate=0.05",
        "CLEANRECORD_SIGNING_PASSPHRASE_FILE": str(secret), "SECURE_COOKIES": "true",
    }, tmp_path)
    assert values["IMPORT_MAX_ROWS"] == 10 and values["DEBUG"] is True and values["HTTPS"] is True
    assert values["TRUSTED_PROXIES"] == ["10.0.0.0/24", "192.0.2.10"]
    assert values["REPORT_NOT_COVERED"] == ["甲", "乙"]
    assert values["QUALITY_THRESHOLDS"] == {"on_time": 0.9, "rejection_rate": 0.05}
    assert values["SIGNING_PASSPHRASE"] == "s3cret"


REFUSABLE = [s for s in conf.SETTINGS if s.kind.bad_example is not None]


def test_every_type_that_can_be_wrong_is_tried():
    assert {s.kind.name for s in REFUSABLE} >= {"int", "bool", "choice", "path", "url", "text", "list of networks",
                                                 "mapping of decimals"}


@pytest.mark.parametrize("setting", REFUSABLE, ids=[s.env for s in REFUSABLE])
def test_a_wrong_value_of_each_setting_stops_the_start_naming_the_variable(tmp_path, setting):
    with pytest.raises(ImproperlyConfigured) as refused:
        conf.read_environment({setting.env: setting.kind.bad_example}, tmp_path)
    message = str(refused.value)
    assert message.startswith(f"{setting.env}=") and "：" in message


@pytest.mark.parametrize(("env", "message"), [
    ({"CLEANRECORD_IMPORT_MAX_ROWS": "many"}, "CLEANRECORD_IMPORT_MAX_ROWS=many：应为整数"),
    ({"CLEANRECORD_IMPORT_MAX_ROWS": "0"}, "CLEANRECORD_IMPORT_MAX_ROWS=0：应不小于 1"),
    ({"CLEANRECORD_REPORT_VALID_DAYS": "400"}, "CLEANRECORD_REPORT_VALID_DAYS=400：应在 1 到 365 之间"),
    ({"HTTPS": "ture"}, "HTTPS='ture'：应为 true 或 false"),
    ({"CLEANRECORD_FIELD_CIPHER": "des"}, "CLEANRECORD_FIELD_CIPHER='des'：应为 aes-gcm、sm4-gcm 之一"),
    ({"CLEANRECORD_TRUSTED_PROXIES": "10.0.0.0/24,proxy"},
     "CLEANRECORD_TRUSTED_PROXIES='10.0.0.0/24,proxy'：'proxy' 既不是 IP 地址也不是 CIDR 网段"),
    ({"CLEANRECORD_PUBLIC_BASE_URL": "credit.example.org"}, "应为以 http:// 或 https:// 开头的网址"),
    ({"CLEANRECORD_QUALITY_THRESHOLDS": "on_time=high"}, "'on_time=high' 应写作 指标代码=阈值"),
    ({"CLEANRECORD_REPORT_DIR": ""}, "CLEANRECORD_REPORT_DIR=''：不能为空"),
    ({"CLEANRECORD_REPORT_DEFAULT_YEARS": "4", "CLEANRECORD_REPORT_MAX_YEARS": "3"},
     "CLEANRECORD_REPORT_DEFAULT_YEARS=4：默认查询年限应在 1 年到最长追溯年限（3 年）之间"),
    ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE='/nonexistent/secret'：无法读取"),
    ({"CLEANRECORD_OIDC_ISSUER": "idp.example.org"}, "CLEANRECORD_OIDC_ISSUER='idp.example.org'：应为以 http:// 或 https://"),
    ({"CLEANRECORD_OIDC_ISSUER": "https://idp.example.org"},
     "CLEANRECORD_OIDC_CLIENT_ID=''：设置了 CLEANRECORD_OIDC_ISSUER 时须同时设置在身份认证服务注册的客户端标识"),
])
def test_the_refusal_says_what_is_wrong(tmp_path, env, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        conf.read_environment(env, tmp_path)


def test_settings_py_builds_from_the_registry_and_a_wrong_value_stops_the_process(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLEANRECORD_")}
    environ.update(CLEANRECORD_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="cleanrecord.settings",
                   CLEANRECORD_IMPORT_MAX_BYTES="200MB")
    started = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=environ, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "ImproperlyConfigured: CLEANRECORD_IMPORT_MAX_BYTES=200MB：应为整数" in started.stderr


def test_get_reads_declared_platform_settings_only(settings):
    assert conf.get("IMPORT_MAX_ROWS") == settings.CLEANRECORD["IMPORT_MAX_ROWS"]
    with pytest.raises(ImproperlyConfigured, match="not a platform setting"):
        conf.get("NO_SUCH_SETTING")
    with pytest.raises(ImproperlyConfigured, match="not a platform setting"):
        conf.get("DEBUG")  # a Django setting: django.conf.settings.DEBUG
    settings.CLEANRECORD = {k: v for k, v in settings.CLEANRECORD.items() if k != "SIGNING_KEY"}
    assert conf.get("SIGNING_KEY") == ""  # a key left out of settings.CLEANRECORD reads as its declared default


@pytest.mark.django_db
def test_office_rules_are_read_through_the_reports_rules_only(settings):
    """The office's console may override these; a plain conf.get() would miss its saved value."""
    assert {s.name for s in conf.SETTINGS if s.office} == set(RuleSettings.SETTINGS)
    with pytest.raises(ImproperlyConfigured, match="reports.rules.rule"):
        conf.get("REPORT_VALID_DAYS")
    rules.forget_office_rules()
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_VALID_DAYS": 45}
    try:
        assert rules.rule("REPORT_VALID_DAYS") == 45
        RuleSettings.objects.create(include_simple_procedure=True, repaired_records="label", nothing_found_text="无",
                                    default_years=3, max_years=5, valid_days=60)
        assert rules.rule("REPORT_VALID_DAYS") == 60  # saving forgets the cached rules at once
        assert rules.rule("REPORT_TITLE") == conf.get("REPORT_TITLE")  # the others: the environment's
    finally:
        rules.forget_office_rules()


def test_the_code_reads_the_platform_settings_only_through_conf():
    """Direct reads carried their own defaults (two names for the platform); none may come back."""
    package = ROOT / "cleanrecord"
    direct = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in package.rglob("*.py")
        if "tests" not in path.parts and path.name not in ("conf.py", "settings.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "settings.CLEANRECORD" in line or "os.getenv(\"CLEANRECORD_" in line
    ]
    assert direct == []
