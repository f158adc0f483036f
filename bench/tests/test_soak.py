"""The soak harness itself (bench/soak.py). Not part of `make test`: pytest collects cleanrecord/ only; run these
with `.venv/bin/pytest -p no:cacheprovider bench/tests` (the smoke run takes about a minute and a half and needs the
local PostgreSQL server)."""

import email.message
import json
import os
import subprocess
import sys

import psycopg
import pytest

from bench import soak
from bench.imports import DEFAULT_SERVER, ROOT


def test_percentiles_are_read_off_the_sorted_latencies():
    values = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms, shuffled order does not matter
    assert soak.percentile(list(reversed(values)), 0.5) == 0.050
    assert soak.percentile(values, 0.99) == 0.099
    assert soak.percentile([], 0.99) == 0.0


def test_memory_at_a_point_is_the_median_of_the_window_before_it_so_a_passing_spike_does_not_count():
    samples = [{"t": t, "processes": {7: ("gunicorn worker", 100 * 1024, 120 * 1024)}} for t in range(20)]
    samples[15]["processes"][7] = ("gunicorn worker", 400 * 1024, 420 * 1024)  # an argon2 hash's 100 MB, say
    at = soak.memory_at(samples, 19)
    assert at == {"7": {"role": "gunicorn worker", "pss_mb": 100.0, "rss_mb": 120.0}}


def test_the_cookie_jar_keeps_what_the_server_sets_and_forgets_what_it_clears():
    jar = soak.Jar()
    headers = email.message.Message()
    headers["Set-Cookie"] = "csrftoken=abc; expires=Mon, 06 Dec 2027 02:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax"
    headers["Set-Cookie"] = "sessionid=s1; HttpOnly; Path=/"
    jar.update_from(headers)
    assert jar == {"csrftoken": "abc", "sessionid": "s1"}
    cleared = email.message.Message()
    cleared["Set-Cookie"] = 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'
    jar.update_from(cleared)
    assert jar.header() == "csrftoken=abc"


def test_an_answer_is_told_in_one_line():
    assert soak.gist(b"<html><head><title>Server Error\n (500)</title></head><body>...") == "Server Error (500)"
    assert soak.gist(b'{"detail":\n "bad"}') == '{"detail": "bad"}'


def _postgresql() -> bool:
    try:
        psycopg.connect(f"{DEFAULT_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.mark.skipif(not _postgresql(), reason="needs the local PostgreSQL server")
def test_a_short_soak_runs_the_stack_and_every_kind_of_request_gets_its_expected_answer(tmp_path):
    env = {**os.environ, "SOAK_SECONDS": "20", "SOAK_WARMUP_SECONDS": "8", "SOAK_ENTITIES": "200",
           "SOAK_REPORTS": "20", "SOAK_ENTITY_USERS": "8", "SOAK_IMPORT_ROWS": "2000", "SOAK_OUT": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bench.soak"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert (tmp_path / "result.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    # Twenty seconds say nothing about memory; every answer and the import must be right, though.
    assert result["errors"] == [] and result["problems"] == [], done.stdout[-5000:]
    assert result["import"]["outcome"] == "done"
    assert result["import"]["batch"]["rows_created"] == 2000
    seen = set(result["endpoints"])
    assert {"verify API GET /api/v1/verify/<code>", "verify page, unknown code", "sign-in POST /accounts/login/",
            "issue report POST /api/v1/reports", "GET /metrics (token)", "static file (whitenoise)"} <= seen
    with psycopg.connect(f"{DEFAULT_SERVER}/postgres") as conn:  # the scratch database is gone
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [result["database"]]).fetchone() is None
