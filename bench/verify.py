"""Verification speed: valid codes looked up through gunicorn (2 workers) on PostgreSQL, under load.

Targets (issue 16): at least 800 verifications/s through the API with p99 <= 50 ms on the 2-core machine, at
least half the rate of a trivial page, and the page form within 10 % of the API. The load comes from wrk (a
separate process on loopback, sharing those two cores with gunicorn and PostgreSQL; without wrk a Python load
generator, which costs far more CPU), so the figures understate what the server alone would do; the CPU each
side used is printed next to them. Three endpoints are measured one after another: the API
(GET /api/v1/verify/<code>), the page (GET /verify/<code>) and, for the ratio, the plain form page GET /verify,
which renders a template and touches no table. Valid codes never spend the per-client guessing budget, so one
client address can send them all. The server runs as deployed by default (persistent connections, each
worker's own memory cache), then with Redis as the shared cache when one answers on 127.0.0.1:6379, then
reading a real streaming replica (cleanrecord.testing.replica, port 5433) when this machine can make one."""

import argparse
import http.client
import itertools
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.imports import DEFAULT_SERVER, ROOT, prepare_database
from cleanrecord.testing import replica
from cleanrecord.testing.server import free_port

DB_NAME = "cleanrecord_bench_verify"
OUT = ROOT / "bench" / "out"


def issue_reports(count: int) -> None:
    """Issue `count` full reports for active demo entities, alternately with penalties and without; print their codes,
    and how many database queries one API verification makes, as JSON (run in a child process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.reports.services import issue_report

    active = list(Entity.objects.filter(status="active").order_by("credit_code").values_list("credit_code", flat=True))
    penalised = set(Penalty.objects.values_list("subject_key", flat=True))
    with_records = [c for c in active if c in penalised]
    clean = [c for c in active if c not in penalised]
    chosen = [c for pair in itertools.zip_longest(with_records, clean) for c in pair if c][:count]
    reports = [issue_report(credit_code=c, domains="all", purpose="finance") for c in chosen]

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    queries = []  # the first verification of a report works its answer out; the next ones find it cached
    for has_records in (True, False):
        code = next(r.verification_code for r in reports if bool(r.records_found) == has_records)
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert Client().get(f"/api/v1/verify/{code}").status_code == 200
            counts.append(len(captured))
        queries.append("{} first, {} then".format(*counts))
    print(json.dumps({"codes": [r.verification_code for r in reports],
                      "with_records": sum(bool(r.records_found) for r in reports), "queries": queries}))


# -- the load generator (a process of its own) ---------------------------------------------------

def load(port: int, paths: list[str], expect: str, *, seconds: float, max_requests: int, concurrency: int) -> dict:
    """GET `paths` round-robin from `concurrency` threads, each on its own connection (kept alive when the server
    keeps them open), until `max_requests` are sent or `seconds` have passed. A response is an error unless it is a 200 whose
    body contains `expect`."""
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    needle = expect.encode()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while (i := next(counter)) < max_requests and time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)])
                response = conn.getresponse()
                body = response.read()
                if response.status != 200 or needle not in body:
                    errors.append(f"{response.status} {paths[i % len(paths)]}")
            except (OSError, http.client.HTTPException) as e:
                errors.append(f"{type(e).__name__}: {e}")
                conn.close()
            mine.append(time.perf_counter() - started)
        conn.close()
        latencies.extend(mine)

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    ordered = sorted(latencies)
    return {
        "requests": len(ordered), "seconds": wall, "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "p50": statistics.median(ordered) if ordered else 0.0,
        "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0.0,
        "cpu": (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime),
    }


def load_main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.verify")
    parser.add_argument("port", type=int)
    parser.add_argument("paths_file", type=Path)
    parser.add_argument("--expect", default="")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args()
    paths = json.loads(args.paths_file.read_text())
    print(json.dumps(load(args.port, paths, args.expect, seconds=args.seconds, max_requests=args.requests,
                          concurrency=args.concurrency)))


# -- the server ----------------------------------------------------------------------------------

def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy so far, all cores together (from /proc/stat)."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1:<free port>, as in production: DEBUG off."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cleanrecord.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--error-logfile", "-"],
            cwd=ROOT, env={**env, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"},
            stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/verify")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(p) for p in children]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


WRK = shutil.which("wrk")
WRK_SCRIPT = Path(__file__).with_name("verify.lua")


def run_wrk(port: int, paths_file: Path, expect: str, *, seconds: float, concurrency: int) -> dict:
    """The load from wrk (Debian's package; `make bench` installs it): one thread, `concurrency` connections,
    for `seconds`; its CPU time is read off this process's children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [WRK, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(WRK_SCRIPT),
         f"http://127.0.0.1:{port}", "--", str(paths_file)],
        capture_output=True, text=True, env={**os.environ, "WRK_EXPECT": expect},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {"requests": out["requests"], "seconds": out["seconds"], "errors": out["errors"],
            "error_samples": [s for s in out["samples"].split("; ") if s][:5], "p50": out["p50"], "p99": out["p99"],
            "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


def measure(server: Server, paths: list[str], expect: str, *, seconds: float, requests: int,
            concurrency: int) -> dict:
    """One phase: a short warm-up, then the measured load, from a separate process (wrk when installed)."""
    paths_file = OUT / "verify-paths.json"
    paths_file.write_text(json.dumps(paths))
    lines_file = OUT / "verify-paths.txt"
    lines_file.write_text("\n".join(paths) + "\n")

    def run_load(seconds: float, requests: int) -> dict:
        if WRK:
            return run_wrk(server.port, lines_file, expect, seconds=seconds, concurrency=concurrency)
        done = subprocess.run(
            [sys.executable, "-m", "bench.verify", str(server.port), str(paths_file), "--expect", expect,
             "--seconds", str(seconds), "--requests", str(requests), "--concurrency", str(concurrency)],
            cwd=ROOT, capture_output=True, text=True,
        )
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        return json.loads(done.stdout)

    run_load(3.0, 3000)  # templates compiled, URL resolvers filled, every answer cached in both workers
    workers = server.worker_pids()
    server_cpu, busy = cpu_seconds(workers), machine_busy_seconds()
    result = run_load(seconds, requests)
    result["server_cpu"] = cpu_seconds(workers) - server_cpu
    # PostgreSQL (its backends come and go with DB_CONN_MAX_AGE=0), the load generator's start-up, anything else.
    result["other_cpu"] = machine_busy_seconds() - busy - result["server_cpu"] - result["cpu"]
    return result


def report_line(name: str, r: dict) -> str:
    rate = r["requests"] / r["seconds"]
    line = (f"  {name:<34} {rate:7.0f} req/s  p50 {r['p50'] * 1000:5.1f} ms  p99 {r['p99'] * 1000:5.1f} ms  "
            f"errors {r['errors']}  ({r['requests']} requests in {r['seconds']:.1f} s; CPU per request: "
            f"gunicorn {r['server_cpu'] / r['requests'] * 1000:.2f} ms, load generator "
            f"{r['cpu'] / r['requests'] * 1000:.2f} ms, PostgreSQL and the rest {r['other_cpu'] / r['requests'] * 1000:.2f} ms)")
    if r["error_samples"]:
        line += "\n    e.g. " + "; ".join(r["error_samples"])
    return line


def run(count: int = 200, seconds: float = 10.0, requests: int = 20_000, concurrency: int = 4) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    url = os.getenv("BENCH_VERIFY_DATABASE_URL") or f"{DEFAULT_SERVER}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(OUT / "verify-data")}
    print(f"\n== verification benchmark: gunicorn, 2 workers, PostgreSQL ({url.rsplit('@', 1)[-1]})")
    prepare_database(url, env, demo_entities=500)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", f"from bench.verify import issue_reports; issue_reports({count})"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    issued = json.loads(done.stdout.splitlines()[-1])
    codes = issued["codes"]
    print(f"{len(codes)} reports issued ({issued['with_records']} with records) in {time.perf_counter() - started:.0f} s; "
          "database queries per API verification: {} for a report with records, {} for one without".format(*issued["queries"]))
    generator = (f"wrk, 1 thread, {concurrency} connections" if WRK else
                 f"{concurrency} client threads in one Python process (install wrk for a lighter load generator)")
    print(f"load: {generator} (gunicorn's sync workers close each connection), {seconds:.0f} s per endpoint")

    phases = [
        ("API  GET /api/v1/verify/<code>", [f"/api/v1/verify/{c}" for c in codes], '"authentic"'),
        ("page GET /verify/<code>", [f"/verify/{c}" for c in codes], "真实有效"),
        ("form GET /verify (no database)", ["/verify"], "核验"),
    ]
    setups = [("as deployed by default: persistent connections, each worker's memory cache", {})]
    if _redis_answers():
        setups.append(("with Redis shared by the workers (CLEANRECORD_CACHE_URL)",
                       {"CLEANRECORD_CACHE_URL": "redis://127.0.0.1:6379/3"}))
    standby = _replica(url)
    if standby:
        setups.append(("reading a streaming replica (DATABASE_REPLICA_URL, port 5433)", {"DATABASE_REPLICA_URL": standby}))
    for label, extra in setups:
        server = Server({**env, **extra}, OUT / "verify-gunicorn.log")
        try:
            results = {name: measure(server, paths, expect, seconds=seconds, requests=requests,
                                     concurrency=concurrency) for name, paths, expect in phases}
        finally:
            server.stop()
        print(label)
        for name, r in results.items():
            print(report_line(name, r))
        api, page, form = (results[name] for name, _, _ in phases)
        rate = {k: r["requests"] / r["seconds"] for k, r in (("api", api), ("page", page), ("form", form))}
        print(f"  verification / trivial: API {rate['api'] / rate['form']:.2f}, page {rate['page'] / rate['form']:.2f}; "
              f"page / API {rate['page'] / rate['api']:.2f}")
        targets = [(">= 800 verifications/s (API)", rate["api"] >= 800), ("p99 <= 50 ms (API)", api["p99"] <= 0.05),
                   ("API / trivial >= 0.5", rate["api"] / rate["form"] >= 0.5),
                   ("page within 10 % of the API", rate["page"] >= 0.9 * rate["api"]),
                   ("no errors", not (api["errors"] or page["errors"] or form["errors"]))]
        print("  targets: " + ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in targets))


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _replica(url: str) -> str:
    """The benchmark database on the local streaming replica (made with pg_basebackup when missing), or ""."""
    if os.getenv("BENCH_VERIFY_DATABASE_URL"):
        return ""  # a database elsewhere: no local replica of it
    try:
        standby = replica.start()
    except replica.ReplicaUnavailable as exc:
        print(f"(no replica phase: {exc})")
        return ""
    return standby.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1]

if __name__ == "__main__":
    load_main()
