"""Import throughput: a national-layout penalty CSV into PostgreSQL, against a bare COPY of the file.

The import runs in a child process (`manage.py import_records`) so that its peak memory is measured
alone, together with the process it may fork to load half of the file. Targets (issue 2): at least
20,000 rows/s, peak memory under 300 MB, within 5x of COPY.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
DB_NAME = "cleanrecord_bench"


def database_url() -> str:
    return os.getenv("BENCH_DATABASE_URL") or f"{DEFAULT_SERVER}/{DB_NAME}"


def fresh_database(url: str) -> None:
    server, _, name = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(url: str, env: dict, *, demo_entities: int = 0) -> None:
    """A fresh scratch database, migrated, with the reference data (and demo data when asked for)."""
    fresh_database(url)
    steps = [("migrate", "--no-input", "-v0"), ("signing_keys", "-v0", "init"), ("load_reference",)]
    if demo_entities:
        steps.append(("seed_demo", "--entities", str(demo_entities)))
    for step in steps:
        done = manage(env, *step)
        if done.returncode:
            raise SystemExit(done.stdout + done.stderr)


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """Memory of a process and all its descendants, in MB: (RSS, PSS). RSS counts the pages a forked child
    still shares with its parent in both; PSS splits them between the two."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:  # gone meanwhile
            continue
    return rss / 1024, pss / 1024


def timed_import(env: dict, path: Path) -> tuple[float, float, float, float, str, int]:
    """Run the import in a child process: (seconds, peak RSS in MB of its largest process, peak RSS and peak
    PSS in MB of the child and its own children together, stdout, exit code). An import may fork a process
    to load half of a large file (records/importing/parallel.py): the whole tree is what the machine spends.

    The child logs its step timings at debug level (services.import_file); `phases()` picks them out.
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_records", str(path), "--kind", "penalty"],
        cwd=ROOT, env={**env, "LOG_LEVEL": "DEBUG"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    tree_rss = tree_pss = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal tree_rss, tree_pss
        while not done.wait(0.2):
            rss, pss = _tree_memory_mb(child.pid)
            tree_rss, tree_pss = max(tree_rss, rss), max(tree_pss, pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = child.stdout.read()
    done.set()
    sampler.join()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss / 1024  # the child's own peak, or a reaped descendant's if larger
    return (time.perf_counter() - started, largest, max(tree_rss, largest), max(tree_pss, largest), output,
            child.returncode)


def phases(output: str) -> str:
    """The import's step timings from its log: "load=30.1s index=1.2s …" (load is reading, checking and COPY)."""
    timings, parts = "(not logged)", ""
    for line in output.splitlines():
        if " timings: " in line:
            timings = line.split(" timings: ", 1)[1]
        elif ": first part loaded in " in line:  # two processes loaded the file
            parts = " (two processes: " + line.split(": ", 1)[1] + ")"
    return timings + parts


def bare_copy_seconds(url: str, path: Path) -> float:
    """COPY the same file into a table of text columns: the floor for getting these bytes into PostgreSQL."""
    with path.open(encoding="utf-8-sig") as f:
        header = f.readline().rstrip("\n").split(",")
    cols = ", ".join(f'"c{i}" text' for i in range(len(header)))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_copy")
        conn.execute(f"CREATE TABLE bench_bare_copy ({cols})")
        started = time.perf_counter()
        sql = "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        with conn.cursor() as cur, cur.copy(sql) as copy, path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_bare_copy")
    return seconds


def run(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url()
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(OUT / "data")}
    print(f"== import benchmark: {rows:,} penalty rows into PostgreSQL ({url.rsplit('@', 1)[-1]})")
    prepare_database(url, env)

    path = OUT / f"penalties-{rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
             f"'cleanrecord.settings'); django.setup(); from cleanrecord.demo.generate import write_penalty_csv; "
             f"write_penalty_csv({str(path)!r}, rows={rows}, seed=1)"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")
    size_mb = path.stat().st_size / 1e6

    seconds, largest_mb, peak_mb, peak_pss_mb, output, code = timed_import(env, path)
    if code not in (0, 1):
        raise SystemExit(output[-3000:])
    summary = [line for line in output.splitlines() if line.startswith("导入完成")]
    copy_seconds = bare_copy_seconds(url, path)
    print("\n".join(summary))
    print(f"import (fresh database): {seconds:.1f} s, {rows / seconds:,.0f} rows/s, {size_mb / seconds:.1f} MB/s, "
          f"peak memory {peak_pss_mb:.0f} MB (PSS of all its processes; their RSS summed {peak_mb:.0f} MB, "
          f"the largest alone {largest_mb:.0f} MB)")
    print(f"  steps: {phases(output)}")
    print(f"bare COPY of the same file: {copy_seconds:.1f} s ({rows / copy_seconds:,.0f} rows/s); "
          f"import / COPY = {seconds / copy_seconds:.1f}x")

    again, _, _, _, output, _ = timed_import(env, path)
    print(f"re-import of the same file (all unchanged): {again:.1f} s, {rows / again:,.0f} rows/s")
    print(f"  steps: {phases(output)}")
    # Memory: each page counted once (PSS) over the import's processes; summed RSS would count twice what a
    # forked process still shares with its parent.
    targets = [("rows/s >= 20,000", rows / seconds >= 20_000), ("peak memory < 300 MB", peak_pss_mb < 300),
               ("within 5x of COPY", seconds / copy_seconds <= 5)]
    print("targets: " + ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in targets))
