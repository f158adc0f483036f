"""Report settings from the environment are checked when the platform starts: a value the national rule
or the code does not allow stops every process (web server, manage.py) with the reason in Chinese."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings


def start(tmp_path, **env) -> subprocess.CompletedProcess:
    """Start Django as `manage.py check` does, with these environment variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLEANRECORD_REPORT_")}
    environ.update(env, CLEANRECORD_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="cleanrecord.settings")
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=environ,
                          cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("env", "message"), [
    ({"CLEANRECORD_REPORT_MAX_YEARS": "6"},
     "CLEANRECORD_REPORT_MAX_YEARS=6：最长追溯年限应在 1 到 5 年之间（国家规定查询期最长追溯 5 年）"),
    ({"CLEANRECORD_REPORT_MAX_YEARS": "0", "CLEANRECORD_REPORT_DEFAULT_YEARS": "0"},
     "CLEANRECORD_REPORT_MAX_YEARS=0：最长追溯年限应在 1 到 5 年之间"),
    ({"CLEANRECORD_REPORT_DEFAULT_YEARS": "6"},
     "CLEANRECORD_REPORT_DEFAULT_YEARS=6：默认查询年限应在 1 年到最长追溯年限（5 年）之间"),
    ({"CLEANRECORD_REPORT_DEFAULT_YEARS": "4", "CLEANRECORD_REPORT_MAX_YEARS": "3"},
     "CLEANRECORD_REPORT_DEFAULT_YEARS=4：默认查询年限应在 1 年到最长追溯年限（3 年）之间"),
    ({"CLEANRECORD_REPORT_LISTINGS_ANY_REGION": "national-only"},
     "CLEANRECORD_REPORT_LISTINGS_ANY_REGION='national-only'：应为 all、national、none 之一"),
])
def test_a_report_setting_out_of_bounds_stops_the_start_with_the_reason(tmp_path, env, message):
    started = start(tmp_path, **env)
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and message in started.stderr


def test_settings_within_bounds_start(tmp_path):
    started = start(tmp_path, CLEANRECORD_REPORT_MAX_YEARS="5", CLEANRECORD_REPORT_DEFAULT_YEARS="5",
                    CLEANRECORD_REPORT_LISTINGS_ANY_REGION="none")
    assert started.returncode == 0, started.stderr
