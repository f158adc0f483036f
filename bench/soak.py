"""`make soak`: the production stack on PostgreSQL under a day's mixed traffic, for SOAK_SECONDS (600).

What it does, each run from nothing:

1. A fresh database `soak_<pid>` on the local PostgreSQL server (SOAK_DATABASE_SERVER) and a data directory in a
   temporary folder, both removed at the end (SOAK_KEEP=1 keeps them). Set up as an operator would: migrate,
   signing_keys init, load_reference, seed_demo (SOAK_ENTITIES, 1,000), then the soak's own actors through the
   project's models and services: entity users bound to entities (each with an API token to issue reports), an
   API token for the market regulator's clerk (demo-amr) to import, report grants to the bank (demo-bank), reports
   issued for verification, and a 50,000-row penalty file of the market regulator (SOAK_IMPORT_ROWS) written by
   the demo generator.
2. The stack as `make run` starts it (`start_stack`): `manage.py serve` — gunicorn with the repo's gunicorn.conf.py,
   whitenoise and the task worker — behind a pretend TLS proxy: the server trusts 127.0.0.1 as a proxy and every
   simulated visitor sends its own X-Forwarded-For address, so the verification budget and the login lock-out see
   many clients, as they would in production.
3. SOAK_CLIENTS (6) client threads in this process, paced to SOAK_RATE (25) actions per second in all, each
   action picked by weight (`Day.actions`, verification-heavy like a real day; SOAK_ONLY=name,… runs
   some alone): verifications by code (API and page,
   valid and unknown codes), report pages, reports issued through the API and the portal (the form with CSRF),
   sign-ins through the login form, the portal pages of each role, public pages and static files, /healthz,
   /readyz and /metrics (with its token). The clerk's token uploads a 1,000-row penalty file to POST
   /api/v1/imports when the traffic starts (so that the worker has run an import before its memory is first
   measured) and the big file when the warm-up ends (a fifth of the run, but at least half of it up to 60 s, and
   at most 120 s), each polled through its status URL until done.
4. Every second process memory is sampled (PSS and RSS from /proc/<pid>/smaps_rollup) for the gunicorn master,
   each gunicorn worker, the task worker and serve itself.

It prints a table — errors by endpoint and status, p50/p99 and requests per endpoint, throughput, the import's
rows/s, CPU of the load generator and of the stack, and each process's memory at the end of the warm-up and at
the end — and writes it as JSON to var/soak/result.json (SOAK_OUT) with the server's log beside it. Exit status 1
when any request failed (an unexpected status, a body without what it should say, a refused connection), the
import did not finish cleanly, the server logged an error, a process died, or a process grew by 10 % or more after
the warm-up (the median of the last 10 s of samples of each window, so a passing spike does not decide).

Latency figures count the measured window only (after the warm-up); errors count the whole run.
"""

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

from bench.imports import DEFAULT_SERVER, ROOT, fresh_database
from bench.verify import machine_busy_seconds
from cleanrecord.testing.server import free_port, wait_until_serving

WARMUP_IMPORT_ROWS = 1000
MEMORY_GOAL = 0.10  # growth after the warm-up, per process
SAMPLE_SECONDS = 1.0
WINDOW_SECONDS = 10.0  # memory at a point = median of the samples of the last this many seconds before it
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # the verification codes' alphabet (no 0/O/1/I/L/U)


def setting(name: str, default: str) -> str:
    return os.getenv(name) or default


# -- the stack ----------------------------------------------------------------------------------------


def start_stack(env: dict, port: int, log) -> subprocess.Popen:
    """What `make run` starts, in production form: `manage.py serve` (gunicorn with gunicorn.conf.py and
    whitenoise, plus the task worker), on `port`. A session of its own, so that stopping it reaches nothing else."""
    return subprocess.Popen([sys.executable, "manage.py", "serve"], cwd=ROOT, env={**env, "PORT": str(port)},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_stack(process: subprocess.Popen) -> None:
    """SIGTERM, as systemd or Ctrl-C would; its whole process group is killed if it is not gone in 60 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def stack_processes(root: int) -> dict[int, str]:
    """The stack's long-running processes by pid: serve, the gunicorn master, each gunicorn worker, the task
    worker; short-lived helpers (an import's reading process) as "helper"."""
    roles: dict[int, str] = {}
    todo = [(root, "")]
    while todo:
        pid, parent_role = todo.pop()
        cmd = _cmdline(pid)
        if not cmd:
            continue
        if parent_role == "gunicorn master":
            role = "gunicorn worker"
        elif "gunicorn" in cmd:
            role = "gunicorn master"
        elif "manage.py worker" in cmd:
            role = "task worker"
        elif "manage.py serve" in cmd:
            role = "serve"
        else:
            role = "helper"
        roles[pid] = role
        todo += [(child, role) for child in _children(pid)]
    return roles


def process_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and of their children they have reaped (an import's reader)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / tick


def memory_kb(pid: int) -> tuple[int, int] | None:
    """(PSS, RSS) in kB, or None when the process is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        return None
    return pss, rss


# -- set-up, in a child process with Django -------------------------------------------------------


def prepare(out: Path, *, entity_users: int, reports: int, import_rows: int) -> None:
    """Make the soak's actors and data after seed_demo, and write what the clients need to `out` (JSON, 0600)."""
    # Django and the platform are imported here, in the child process that runs this with the soak's database:
    # the harness itself never loads the settings.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from cleanrecord.accounts import tokens
    from cleanrecord.accounts.models import DepartmentClerk, EntityUser, ReportGrant
    from cleanrecord.demo.generate import Reference, write_penalty_csv
    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.reference import regions
    from cleanrecord.reports.services import issue_report

    demo = {}
    for line in (Path(settings.DATA_DIR) / "demo" / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        username, password, _ = line.split("\t", 2)
        demo[username] = password
    active = list(Entity.objects.filter(regions.in_region("region_code"), status="active")
                  .order_by("credit_code").values_list("credit_code", flat=True))
    penalised = set(Penalty.objects.values_list("subject_key", flat=True))
    with_records = [c for c in active if c in penalised]
    clean = [c for c in active if c not in penalised]
    # Alternately with records and without: reports to verify, then the entities the soak's users act for.
    mixed = [c for pair in zip(with_records, clean, strict=False) for c in pair]
    mixed += [c for c in active if c not in set(mixed)]
    taken = set(EntityUser.objects.values_list("entity_id", flat=True))
    mixed = [c for c in mixed if c not in taken]
    for_reports, for_users = mixed[:reports], mixed[reports:reports + entity_users]

    codes = [issue_report(credit_code=c, domains="all", purpose="finance").verification_code for c in for_reports]

    today = timezone.localdate()
    bank = User.objects.get(username="demo-bank")
    users = []
    for i, code in enumerate(for_users):
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(f"soak-entity-{i:03d}", password=password)
        EntityUser.objects.create(user=user, entity_id=code, role=EntityUser.Role.LEGAL_REP)
        _, token = tokens.create_token(owner=user, name="soak", scopes="reports:read,reports:write")
        if i % 4 == 0:  # a quarter of them let the bank read their reports, as the portal's grant form does
            ReportGrant.objects.create(entity_id=code, organisation=bank.membership.organisation, valid_from=today,
                                       valid_until=today + dt.timedelta(days=30), created_by=user)
        users.append({"username": user.username, "password": password, "entity": code, "token": token})

    clerk = User.objects.get(username="demo-amr")
    department = DepartmentClerk.objects.get(user=clerk).department.code
    _, clerk_token = tokens.create_token(owner=clerk, name="soak import", scopes="imports:write")
    # The clerk's own department's file: the demo generator with the reference cut down to that department.
    reference = Reference.from_db()
    reference = dataclasses.replace(reference, departments=tuple(d for d in reference.departments if d.code == department))
    penalty_file = Path(settings.DATA_DIR) / "soak" / f"penalties-{department}-{import_rows}.csv"
    write_penalty_csv(penalty_file, rows=import_rows, seed=7, reference=reference)
    # A small file sent during the warm-up, so that the worker has run the import's code once before its memory
    # is first measured: what the big import leaves behind is then growth, not modules loaded on first use.
    warmup_file = penalty_file.with_name(f"penalties-{department}-warm-up.csv")
    write_penalty_csv(warmup_file, rows=WARMUP_IMPORT_ROWS, seed=8, reference=reference)

    out.write_text(json.dumps({
        "codes": codes, "entity_users": users, "public_entities": active[:200],
        "office": {"username": "demo-office", "password": demo["demo-office"]},
        "clerk": {"username": "demo-amr", "password": demo["demo-amr"], "token": clerk_token,
                  "department": department},
        "bank": {"username": "demo-bank", "password": demo["demo-bank"]},
        "entity": {"username": "demo-entity", "password": demo["demo-entity"]},
        "penalty_file": str(penalty_file), "import_rows": import_rows, "warmup_file": str(warmup_file),
    }))
    out.chmod(0o600)


def inspect(out: Path) -> None:
    """After the soak: the import batches and failed background tasks, as the database has them (JSON)."""
    import django  # in the child process, as in prepare()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from django.apps import apps

    from cleanrecord.records.models import ImportBatch
    from cleanrecord.reports.models import Report

    batches = [{"id": b.pk, "status": b.status, "rows_read": b.rows_read, "rows_rejected": b.rows_rejected,
                "seconds": (b.finished_at - b.started_at).total_seconds() if b.finished_at else None}
               for b in ImportBatch.objects.filter(channel=ImportBatch.Channel.API).order_by("pk")]
    failed_tasks: list[str] = []
    if apps.is_installed("django_tasks_db"):  # the database task backend (a stack with a task worker)
        from django_tasks_db.models import DBTaskResult

        failed_tasks = [f"{t.task_path}: {t.exception_class_path}" for t in DBTaskResult.objects.filter(status="FAILED")]
    reports = {row["channel"]: row["n"] for row in
               Report.objects.order_by().values("channel").annotate(n=django.db.models.Count("id"))}
    out.write_text(json.dumps({"batches": batches, "failed_tasks": failed_tasks, "reports": reports}))


# -- the clients ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage | None
    body: bytes


class Stats:
    """Latencies by endpoint (warm-up and measured apart) and failures by endpoint and what went wrong."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.measuring_from = float("inf")
        self.warm: dict[str, list[float]] = defaultdict(list)
        self.measured: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[tuple[str, str]] = Counter()
        self.samples: dict[tuple[str, str], str] = {}

    def add(self, endpoint: str, started: float, seconds: float, error: str | None, detail: str = "") -> None:
        with self.lock:
            (self.measured if started >= self.measuring_from else self.warm)[endpoint].append(seconds)
            if error:
                self.errors[(endpoint, error)] += 1
                self.samples.setdefault((endpoint, error), detail[:300])


class Jar(dict):
    """The cookies of one browser (name → value)."""

    def update_from(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.pop(name, None)
                else:
                    self[name] = morsel.value

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.items())


def visitor_address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class Client:
    """One thread's connection to the server (gunicorn's sync workers close it after each answer: reopened)."""

    def __init__(self, port: int, stats: Stats):
        self.port, self.stats = port, stats
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.address = visitor_address()

    def request(self, endpoint: str, method: str, path: str, *, expect: tuple[int, ...] = (200,),
                needle: str | bytes | None = None, body: bytes | None = None, headers: dict | None = None,
                jar: Jar | None = None, address: str | None = None) -> Response | None:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-For": address or self.address, **(headers or {})}
        if jar:
            headers["Cookie"] = jar.header()
        started = time.monotonic()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            answer = self.conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.stats.add(endpoint, started, time.monotonic() - started, type(e).__name__, f"{method} {path}: {e}")
            return None
        seconds = time.monotonic() - started
        if answer.getheader("Connection", "").lower() == "close":
            self.conn.close()
        if jar is not None:
            jar.update_from(answer.headers)
        error = None
        if answer.status not in expect:
            error = str(answer.status)
        elif needle is not None and (needle.encode() if isinstance(needle, str) else needle) not in data:
            error = f"{answer.status} without {needle if isinstance(needle, str) else 'expected text'}"
        detail = f"{method} {path} → {answer.status} (request id {answer.getheader('X-Request-ID', '-')}): {gist(data)}"
        self.stats.add(endpoint, started, seconds, error, detail)
        return Response(answer.status, answer.headers, data)


def gist(body: bytes) -> str:
    """What an answer says, on one line: an HTML page's title, else its first 200 characters."""
    text = body[:4000].decode(errors="replace")
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    return " ".join((title.group(1) if title else text[:200]).split())


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_token(response: Response | None) -> str:
    found = CSRF_FIELD.search(response.body) if response else None
    return found.group(1).decode() if found else ""


def form_post(client: Client, endpoint: str, path: str, fields: list[tuple[str, str]], jar: Jar, *,
              expect: tuple[int, ...] = (302,)) -> Response | None:
    return client.request(endpoint, "POST", path, body=urlencode(fields).encode(), jar=jar, expect=expect,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})


def sign_in(client: Client, username: str, password: str) -> Jar | None:
    """The login form as a browser fills it: GET (CSRF cookie and field), POST, follow to the start page."""
    jar = Jar()
    page = client.request("login form GET /accounts/login/", "GET", "/accounts/login/", jar=jar, needle="csrfmiddlewaretoken")
    answer = form_post(client, "sign-in POST /accounts/login/", "/accounts/login/",
                       [("csrfmiddlewaretoken", form_token(page)), ("username", username), ("password", password)], jar)
    if answer is None or answer.status != 302 or "sessionid" not in jar:
        return None
    start = urlsplit(answer.headers.get("Location", "/")).path
    client.request("start page after sign-in", "GET", start, jar=jar)
    return jar


class Day:
    """What the clients do, and the state they share (codes issued so far, signed-in browsers)."""

    def __init__(self, port: int, data: dict, stats: Stats, metrics_token: str):
        self.port, self.data, self.stats, self.metrics_token = port, data, stats, metrics_token
        self.lock = threading.Lock()
        self.codes: list[str] = list(data["codes"])
        self.issued: Counter[str] = Counter()  # reports issued per entity by the soak (a limit per entity and hour)
        self.per_hour = 30  # CLEANRECORD_REPORT_ISSUE_PER_ENTITY_PER_HOUR's default, which the soak leaves alone
        self.sessions: dict[str, list[tuple[Jar, dict]]] = defaultdict(list)
        self.static = "/static/front/site.css"

    # set-up of the browsers that stay signed in (during the warm-up)
    def sign_in_browsers(self, client: Client) -> None:
        for role, who in [("office", self.data["office"]), ("clerk", self.data["clerk"]), ("bank", self.data["bank"])] + \
                [("entity", u) for u in self.data["entity_users"][:8]]:
            jar = sign_in(client, who["username"], who["password"])
            if jar is not None:
                self.sessions[role].append((jar, who))
        home = client.request("public GET /", "GET", "/")
        found = re.search(rb'href="(/static/[^"]+\.css)"', home.body) if home else None
        if found:
            self.static = found.group(1).decode()

    def code(self) -> str:
        with self.lock:
            return random.choice(self.codes)

    def entity_for_report(self) -> dict | None:
        with self.lock:
            open_ = [u for u in self.data["entity_users"] if self.issued[u["entity"]] < self.per_hour - 2]
            if not open_:
                return None
            user = random.choice(open_)
            self.issued[user["entity"]] += 1
            return user

    def remember(self, code: str) -> None:
        with self.lock:
            self.codes.append(code)

    # the actions
    def verify_api(self, c: Client) -> None:
        c.request("verify API GET /api/v1/verify/<code>", "GET", f"/api/v1/verify/{self.code()}", needle='"authentic"')

    def verify_page(self, c: Client) -> None:
        c.request("verify page GET /verify/<code>", "GET", f"/verify/{self.code()}", needle="真实有效")

    def verify_unknown_api(self, c: Client) -> None:
        code = "".join(random.choices(CODE_ALPHABET, k=20))
        c.request("verify API, unknown code", "GET", f"/api/v1/verify/{code}", expect=(404,), address=visitor_address())

    def verify_unknown_page(self, c: Client) -> None:
        code = "".join(random.choices(CODE_ALPHABET, k=20))
        c.request("verify page, unknown code", "GET", f"/verify/{code}", expect=(404,), address=visitor_address())

    def report_page(self, c: Client) -> None:
        c.request("report page GET /reports/<code>/", "GET", f"/reports/{self.code()}/")

    def report_api(self, c: Client) -> None:
        user = self.entity_for_report()
        if user is None:
            return self.verify_api(c)
        body = json.dumps({"credit_code": user["entity"], "domains": "all", "purpose": "finance"}).encode()
        answer = c.request("issue report POST /api/v1/reports", "POST", "/api/v1/reports", body=body, expect=(201,),
                           headers={"Authorization": f"Bearer {user['token']}", "Content-Type": "application/json"})
        if answer and answer.status == 201:
            self.remember(json.loads(answer.body)["verification_code"])

    def report_portal(self, c: Client) -> None:
        with self.lock:
            browsers = [(jar, who) for jar, who in self.sessions["entity"] if self.issued[who["entity"]] < self.per_hour - 2]
            if browsers:
                jar, who = random.choice(browsers)
                self.issued[who["entity"]] += 1
        if not browsers:
            return self.verify_page(c)
        path = f"/entities/{who['entity']}/report/"
        form = c.request("report form GET /entities/<code>/report/", "GET", path, jar=jar, needle="csrfmiddlewaretoken")
        answer = form_post(c, "issue report POST /entities/<code>/report/", path,
                           [("csrfmiddlewaretoken", form_token(form)), ("scope", "all"), ("purpose", "finance"),
                            ("purpose_text", "")], jar)
        if answer and answer.status == 302:
            location = urlsplit(answer.headers.get("Location", "")).path
            c.request("report page after issue", "GET", location, jar=jar)
            found = re.fullmatch(r"/reports/([^/]+)/", location)
            if found:
                self.remember(found.group(1))

    def login(self, c: Client) -> None:
        who = random.choice([self.data["office"], self.data["clerk"], self.data["bank"], self.data["entity"]]
                            + self.data["entity_users"])
        jar = sign_in(c, who["username"], who["password"])
        if jar is not None and random.random() < 0.5:
            page = c.request("start page after sign-in", "GET", "/my/messages/", jar=jar)
            form_post(c, "sign-out POST /accounts/logout/", "/accounts/logout/",
                      [("csrfmiddlewaretoken", form_token(page) or jar.get("csrftoken", ""))], jar)

    def portal(self, role: str, pages: list[str]):
        def action(c: Client) -> None:
            if not self.sessions[role]:
                return
            jar, who = random.choice(self.sessions[role])
            page = random.choice(pages)
            path = page.replace("<code>", who.get("entity", "")).replace("<dept>", who.get("department", ""))
            c.request(f"{role} portal GET {page}", "GET", path, jar=jar)
        action.__name__ = f"portal_{role}"
        return action

    def public(self, c: Client) -> None:
        entity = random.choice(self.data["public_entities"])
        path, endpoint = random.choice([
            ("/", "public GET /"), (f"/entities/{entity}/", "public GET /entities/<code>/"),
            ("/entities/?" + urlencode({"q": random.choice(["兰州", "商贸", "科技", "餐饮", entity[:10]])}),
             "public GET /entities/?q="),
            ("/verify", "public GET /verify (form)"),
        ])
        c.request(endpoint, "GET", path)

    def static_file(self, c: Client) -> None:
        c.request("static file (whitenoise)", "GET", self.static)

    def healthz(self, c: Client) -> None:
        c.request("GET /healthz", "GET", "/healthz")

    def readyz(self, c: Client) -> None:
        c.request("GET /readyz", "GET", "/readyz")

    def metrics(self, c: Client) -> None:
        c.request("GET /metrics (token)", "GET", "/metrics", headers={"Authorization": f"Bearer {self.metrics_token}"},
                  needle="cleanrecord_")

    def actions(self) -> list[tuple[int, object]]:
        """(weight, action): verification-heavy, as a day of banks and agencies checking reports would be."""
        return [
            (30, self.verify_api), (18, self.verify_page), (3, self.verify_unknown_api), (2, self.verify_unknown_page),
            (3, self.report_page), (2, self.report_api), (1, self.report_portal), (2, self.login),
            (5, self.portal("entity", ["/my/", "/my/entities/<code>/records/", "/my/objections/", "/my/messages/",
                                       "/entities/<code>/report/"])),
            (3, self.portal("clerk", ["/imports/", "/department/records/", "/department/quality/<dept>/",
                                      "/department/objections/"])),
            (3, self.portal("office", ["/office/objections/", "/office/dashboard/", "/office/quality/",
                                       "/office/jobs/", "/admin/"])),
            (1, self.portal("bank", ["/my/"])),
            (12, self.public), (3, self.static_file), (3, self.healthz), (1, self.readyz), (1, self.metrics),
        ]


def multipart(fields: dict[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_import(port: int, data: dict, stats: Stats, out: dict, stop_polling: threading.Event, *, path: str,
               rows: int, label: str = "") -> None:
    """The clerk's system sends its file through the API, then polls the status URL every half second."""
    client = Client(port, stats)
    auth = {"Authorization": f"Bearer {data['clerk']['token']}"}
    body, content_type = multipart({"kind": "penalty"}, "file", Path(path))
    started = time.monotonic()
    answer = client.request(f"import{label} POST /api/v1/imports", "POST", "/api/v1/imports", body=body,
                            expect=(202, 200), headers={**auth, "Content-Type": content_type})
    out["upload_seconds"] = time.monotonic() - started
    if answer is None or answer.status not in (200, 202):
        out["outcome"] = f"refused ({answer.status if answer else 'no answer'})"
        return
    batch = json.loads(answer.body)
    out["answer"] = answer.status
    out["progress"] = []
    while batch["status"] in ("queued", "running"):
        if stop_polling.wait(0.5):
            out["outcome"] = f"still {batch['status']} when the soak gave up waiting"
            return
        polled = client.request(f"import{label} status GET /api/v1/imports/<id>", "GET", batch["status_url"], headers=auth)
        if polled is None or polled.status != 200:
            continue
        batch = json.loads(polled.body)
        out["progress"].append((round(time.monotonic() - started, 1), batch["status"], batch["rows_read"],
                                batch["rows_total"]))
    out["seconds"] = time.monotonic() - started
    out["batch"] = {k: batch[k] for k in ("id", "status", "rows_read", "rows_created", "rows_rejected", "message")}
    out["rows_per_second"] = rows / out["seconds"]
    clean = batch["status"] == "done" and batch["rows_read"] == rows and not batch["rows_rejected"]
    out["outcome"] = "done" if clean else f"{batch['status']}: {batch['rows_rejected']} rejected, {batch['message']}"


def traffic(port: int, data: dict, stats: Stats, *, seconds: float, warmup: float, clients: int, rate: float,
            metrics_token: str) -> dict:
    """The day: `clients` threads paced to `rate` actions/s in all for `seconds`; the import after the warm-up."""
    day = Day(port, data, stats, metrics_token)
    day.sign_in_browsers(Client(port, stats))
    weighted = day.actions()
    only = [name.strip() for name in setting("SOAK_ONLY", "").split(",") if name.strip()]
    if only:  # one kind of traffic alone, to find what grows: e.g. SOAK_ONLY=report_api,login
        weighted = [(w, a) for w, a in weighted if getattr(a, "__name__", "") in only]
        if not weighted:
            raise SystemExit(f"SOAK_ONLY: no action named {', '.join(only)}")
    population, weights = [a for _, a in weighted], [w for w, _ in weighted]
    started = time.monotonic()
    stop_at = started + seconds
    measuring_from = started + warmup
    stats.measuring_from = measuring_from
    imported: dict = {}
    warmup_import: dict = {}
    stop_polling = threading.Event()
    importer = threading.Thread(target=lambda: (
        run_import(port, data, stats, warmup_import, stop_polling, path=data["warmup_file"], rows=WARMUP_IMPORT_ROWS,
                   label=" (warm-up)"),
        time.sleep(max(0.0, measuring_from - time.monotonic())),
        run_import(port, data, stats, imported, stop_polling, path=data["penalty_file"], rows=data["import_rows"])),
        daemon=True)

    def worker(n: int) -> None:
        client = Client(port, stats)
        gap = clients / rate
        due = started + gap * n / clients
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            if due > now:
                time.sleep(due - now)
            due = max(due + gap, time.monotonic() - 1.0)  # no bursts to catch up on more than a second behind
            action = random.choices(population, weights)[0]
            try:
                action(client)
            except Exception as e:  # a bug of the soak's own, or an answer it cannot read: counted, never silent
                stats.add(f"soak client ({getattr(action, '__name__', 'portal')})", time.monotonic(), 0.0,
                          type(e).__name__, repr(e))

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    importer.start()
    for t in threads:
        t.join()
    # The import may outlast a short run: wait for it, within reason.
    importer.join(timeout=float(setting("SOAK_IMPORT_WAIT", "300")))
    stop_polling.set()
    importer.join(timeout=10)
    return {"import": imported, "warmup_import": warmup_import, "measuring_from": measuring_from, "stop_at": stop_at,
            "reports_issued_by_soak": sum(day.issued.values())}


# -- summary -------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] if ordered else 0.0


def memory_at(samples: list[dict], until: float) -> dict[str, dict]:
    """Each process's memory at `until`: the median of its samples in the WINDOW_SECONDS before."""
    window = [s for s in samples if until - WINDOW_SECONDS <= s["t"] <= until]
    by_pid: dict[int, dict] = {}
    for s in window:
        for pid, (role, pss, rss) in s["processes"].items():
            entry = by_pid.setdefault(pid, {"role": role, "pss": [], "rss": []})
            entry["pss"].append(pss)
            entry["rss"].append(rss)
    return {str(pid): {"role": e["role"], "pss_mb": statistics.median(e["pss"]) / 1024,
                       "rss_mb": statistics.median(e["rss"]) / 1024} for pid, e in by_pid.items()}


def summarise(stats: Stats, *, measured_seconds: float) -> dict:
    endpoints = {}
    for name in sorted(set(stats.warm) | set(stats.measured)):
        lat = stats.measured.get(name, [])
        endpoints[name] = {"requests": len(lat), "warmup_requests": len(stats.warm.get(name, [])),
                           "per_second": len(lat) / measured_seconds,
                           "p50_ms": percentile(lat, 0.5) * 1000, "p99_ms": percentile(lat, 0.99) * 1000,
                           "max_ms": max(lat, default=0.0) * 1000}
    total = sum(e["requests"] for e in endpoints.values())
    errors = [{"endpoint": e, "status": s, "count": n, "sample": stats.samples[(e, s)]}
              for (e, s), n in sorted(stats.errors.items())]
    return {"endpoints": endpoints, "requests": total, "throughput": total / measured_seconds, "errors": errors}


def print_table(result: dict) -> None:
    print(f"\n== soak: {result['seconds']:.0f} s of traffic ({result['warmup_seconds']:.0f} s warm-up), "
          f"{result['clients']} clients paced to {result['rate']:.0f} actions/s; PostgreSQL, `manage.py serve`")
    print(f"{'endpoint':<52} {'requests':>8} {'/s':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, e in result["endpoints"].items():
        if not e["requests"]:
            continue  # only during the warm-up (the browsers that stay signed in)
        print(f"{name:<52} {e['requests']:>8} {e['per_second']:>6.1f} {e['p50_ms']:>8.1f} {e['p99_ms']:>8.1f} "
              f"{e['max_ms']:>8.0f}")
    print(f"{'all (after the warm-up)':<52} {result['requests']:>8} {result['throughput']:>6.1f}")
    cpu = result["cpu"]
    print(f"CPU over the traffic ({cpu['wall']:.0f} s, 2 cores = {2 * cpu['wall']:.0f} core-s): load generator "
          f"{cpu['client']:.0f} s ({cpu['client'] / cpu['wall']:.0%} of a core), stack {cpu['stack']:.0f} s, "
          f"PostgreSQL and everything else on the machine {cpu['other']:.0f} s")
    imp = result["import"]
    if "seconds" in imp:
        print(f"import through the API: {imp['batch']['rows_read']:,} rows in {imp['seconds']:.1f} s "
              f"(polled every 0.5 s; upload {imp['upload_seconds']:.1f} s, answered {imp['answer']}), {imp['rows_per_second']:,.0f} rows/s "
              f"from upload to done, under the soak's traffic; {imp['outcome']}"
              + "".join(f"; server: queued to finished {b['seconds']:.1f} s ({b['rows_read'] / b['seconds']:,.0f} rows/s)"
                        for b in result["batches"] if b["seconds"] and b["id"] == imp["batch"]["id"]))
    else:
        print(f"import through the API: {imp.get('outcome', 'not started')}")
    print(f"\nmemory (PSS, median of the last {WINDOW_SECONDS:.0f} s; RSS in brackets) after warm-up → end:")
    for m in result["memory"]:
        growth = "gone" if m["growth"] is None else f"{m['growth']:+.1%}"
        print(f"  {m['role']:<16} pid {m['pid']:<8} {m['start_pss_mb']:6.1f} MB ({m['start_rss_mb']:.0f}) → "
              f"{m['end_pss_mb']:6.1f} MB ({m['end_rss_mb']:.0f})  {growth:>7}  peak {m['peak_pss_mb']:.0f} MB")
    if result["helpers_peak_pss_mb"]:
        print(f"  short-lived helpers (an import's reading process): peak {result['helpers_peak_pss_mb']:.0f} MB")
    print(f"\nerrors: {result['error_count']} (goal 0)")
    for e in result["errors"]:
        print(f"  {e['count']:>5}  {e['endpoint']}  [{e['status']}]  e.g. {e['sample']}")
    for line in result["problems"]:
        print(f"  {line}")
    print("\n" + ("PASSED" if result["passed"] else "FAILED") + f": errors {result['error_count']}, largest memory "
          f"growth {result['largest_growth']:+.1%} (goal < {MEMORY_GOAL:.0%})")


# -- the run ---------------------------------------------------------------------------------------------


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def wait_until(port: int, path: str, seconds: float, process: subprocess.Popen, log: Path) -> None:
    try:
        wait_until_serving(process, port, log, path=path, seconds=seconds)
    except AssertionError:  # the process died or the time ran out: the helper's message is the server's log
        raise SystemExit(f"{path} did not answer 200 within {seconds:.0f} s:\n{log.read_text()[-3000:]}") from None


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inspect", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    entity_users = int(setting("SOAK_ENTITY_USERS", "40"))
    import_rows = int(setting("SOAK_IMPORT_ROWS", "50000"))
    if args.prepare:
        prepare(args.prepare, entity_users=entity_users, reports=int(setting("SOAK_REPORTS", "100")),
                import_rows=import_rows)
        return 0
    if args.inspect:
        inspect(args.inspect)
        return 0

    seconds = float(setting("SOAK_SECONDS", "600"))
    # The gunicorn workers reach their plateau (fonts and Typst loaded, every page rendered) after about 45 s of
    # traffic: a fifth of the run, but at least half of it up to 60 s, and at most 120 s.
    warmup = float(setting("SOAK_WARMUP_SECONDS", str(min(120.0, max(seconds / 5, min(60.0, seconds / 2))))))
    clients, rate = int(setting("SOAK_CLIENTS", "6")), float(setting("SOAK_RATE", "25"))
    entities = setting("SOAK_ENTITIES", "1000")
    out_dir = Path(setting("SOAK_OUT", str(ROOT / "var" / "soak")))
    out_dir.mkdir(parents=True, exist_ok=True)
    keep = setting("SOAK_KEEP", "") in ("1", "true", "yes")
    url = f"{setting('SOAK_DATABASE_SERVER', DEFAULT_SERVER)}/soak_{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="cleanrecord-soak-"))
    port = free_port()
    metrics_token = secrets.token_urlsafe(24)
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(folder / "data"), "DEBUG": "false",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "CLEANRECORD_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           # A pretend TLS proxy on 127.0.0.1 names each visitor (see Client.request).
           "CLEANRECORD_TRUSTED_PROXIES": "127.0.0.1", "CLEANRECORD_METRICS_TOKEN": metrics_token}
    log_path = out_dir / "server.log"
    began = time.monotonic()
    print(f"== soak: database {url.rsplit('@', 1)[-1]}, data in {folder}, port {port}; {seconds:.0f} s of traffic")
    process = None
    try:
        fresh_database(url)
        for step in (("migrate", "--no-input", "-v0"), ("signing_keys", "-v0", "init"), ("load_reference",),
                     ("seed_demo", "--entities", entities)):
            t = time.monotonic()
            manage(env, *step)
            print(f"  {' '.join(step[:1])}: {time.monotonic() - t:.0f} s")
        t = time.monotonic()
        prepared = folder / "soak.json"
        done = subprocess.run([sys.executable, "-m", "bench.soak", "--prepare", str(prepared)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stdout[-2000:] + done.stderr[-3000:])
        data = json.loads(prepared.read_text())
        print(f"  actors, {len(data['codes'])} reports and the {import_rows:,}-row penalty file: "
              f"{time.monotonic() - t:.0f} s")
        with log_path.open("w") as log:
            process = start_stack(env, port, log)
            wait_until(port, "/healthz", 90, process, log_path)
            wait_until(port, "/readyz", 90, process, log_path)
            print(f"  stack up (pid {process.pid}); set-up took {time.monotonic() - began:.0f} s")

            stats = Stats()
            samples: list[dict] = []
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.wait(SAMPLE_SECONDS):
                    now = time.monotonic()
                    entry = {"t": now, "processes": {}}
                    for pid, role in stack_processes(process.pid).items():
                        mem = memory_kb(pid)
                        if mem:
                            entry["processes"][pid] = (role, *mem)
                    samples.append(entry)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            stack_pids = list(stack_processes(process.pid))
            cpu_before = os.times()
            stack_before, busy_before = process_cpu(stack_pids), machine_busy_seconds()
            t0 = time.monotonic()
            outcome = traffic(port, data, stats, seconds=seconds, warmup=warmup, clients=clients, rate=rate,
                              metrics_token=metrics_token)
            wall = time.monotonic() - t0
            cpu_after = os.times()
            client_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
            stack_cpu = process_cpu(stack_pids) - stack_before
            other_cpu = machine_busy_seconds() - busy_before - stack_cpu - client_cpu
            sampling.set()
            sampler.join()
            final = stack_processes(process.pid)
            stop_stack(process)
            stopped_cleanly = process.returncode == 0
        inspected = folder / "inspect.json"
        done = subprocess.run([sys.executable, "-m", "bench.soak", "--inspect", str(inspected)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        database = json.loads(inspected.read_text()) if not done.returncode else {
            "batches": [], "reports": {}, "failed_tasks": [f"(the database could not be read: {done.stderr[-500:]})"]}
    finally:
        if process is not None:
            stop_stack(process)
        if not keep:
            with psycopg.connect(f"{url.rpartition('/')[0]}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)

    # -- the figures
    measured = outcome["stop_at"] - outcome["measuring_from"]
    result = {"seconds": seconds, "warmup_seconds": warmup, "clients": clients, "rate": rate,
              "database": url.rpartition("/")[2], "kept": keep,
              **summarise(stats, measured_seconds=measured), "import": outcome["import"],
              "warmup_import": outcome["warmup_import"],
              "cpu": {"wall": wall, "client": client_cpu, "stack": stack_cpu, "other": other_cpu},
              "reports": database["reports"], "failed_tasks": database["failed_tasks"],
              "batches": database["batches"]}
    start, end = memory_at(samples, outcome["measuring_from"]), memory_at(samples, samples[-1]["t"])
    peaks: dict[str, float] = defaultdict(float)
    helpers_peak = 0.0
    for s in samples:
        helpers = 0
        for pid, (role, pss, _rss) in s["processes"].items():
            peaks[str(pid)] = max(peaks[str(pid)], pss / 1024)
            if role == "helper":
                helpers += pss
        helpers_peak = max(helpers_peak, helpers / 1024)
    problems: list[str] = []
    memory = []
    for pid, m in start.items():
        if m["role"] == "helper":
            continue
        e = end.get(pid)
        growth = (e["pss_mb"] - m["pss_mb"]) / m["pss_mb"] if e else None
        if e is None:
            problems.append(f"{m['role']} pid {pid} was gone before the end (died or was restarted)")
        memory.append({"pid": int(pid), "role": m["role"], "start_pss_mb": m["pss_mb"], "start_rss_mb": m["rss_mb"],
                       "end_pss_mb": e["pss_mb"] if e else 0.0, "end_rss_mb": e["rss_mb"] if e else 0.0,
                       "growth": growth, "peak_pss_mb": peaks[pid]})
    memory.sort(key=lambda m: (m["role"], m["pid"]))
    for pid, role in final.items():
        if role != "helper" and str(pid) not in start:
            problems.append(f"{role} pid {pid} started after the warm-up (a restarted process)")
    for name in ("warmup_import", "import"):
        if outcome[name].get("outcome") != "done":
            problems.append(f"{name.replace('_', ' ')}: {outcome[name].get('outcome', 'not started')}")
    problems += [f"failed background task: {t}" for t in database["failed_tasks"]]
    log_text = log_path.read_text(errors="replace")
    logged = [line for line in log_text.splitlines() if " ERROR " in line or line.startswith("Traceback")]
    problems += [f"server log: {line[:300]}" for line in logged[:10]]
    if len(logged) > 10:
        problems.append(f"server log: {len(logged) - 10} more error lines in {log_path}")
    if not stopped_cleanly:
        problems.append(f"manage.py serve exited with {process.returncode} when stopped")
    growths = [m["growth"] for m in memory if m["growth"] is not None]
    result.update({
        "memory": memory, "helpers_peak_pss_mb": helpers_peak, "problems": problems,
        "error_count": sum(e["count"] for e in result["errors"]) + len(problems),
        "largest_growth": max(growths, default=0.0), "total_seconds": time.monotonic() - began,
        "memory_samples": [{"t": round(s["t"] - t0, 1), **{str(p): [r, pss] for p, (r, pss, _) in s["processes"].items()}}
                           for s in samples[::5]],
    })
    result["passed"] = result["error_count"] == 0 and result["largest_growth"] < MEMORY_GOAL
    (out_dir / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print_table(result)
    print(f"(whole run {result['total_seconds']:.0f} s; JSON in {out_dir / 'result.json'}, server log in {log_path})")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
