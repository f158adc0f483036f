"""Scale: report issue and verification on a register of millions, against the same on a small one.

Issue 16 asks for report issue and verification at 10 million penalties over 2 million entities to stay within
1.5x of the figures at 10,000. Neither path should notice the size: both read one subject's rows through an
index whose depth grows with the logarithm of the table. This benchmark proves it or shows where it does not hold.

The data is loaded in bulk, not through the importer (which would take hours at this size): entities and penalties
are generated as a stream and sent with COPY, never held in memory whole. The rows are what an import would have
written: valid unified social credit codes, the subject key as the importer sets it (the credit code), departments
and domains from the reference data, the content hash computed from the importer's own hash fields
(records/importing/rows.py PENALTY_HASH), version 1 and no RecordVersion row (a first import writes none), no
SubjectVersion row (a subject that never changed is at version 0). A test (bench/tests/test_scale.py) issues a
report for a loaded entity and verifies it.

Distribution: 30 % of the entities have penalties, and among them the number per entity is skewed (weights drawn
from a log-normal law): most have a handful, a few have hundreds or thousands. Penalties arrive in no order of
subject, as a year of imports from many departments would leave them on disk.

The two sizes are compared on like entities: the sample of entities with records is taken at the same quantiles of
records per entity at both sizes, and as many entities without records are added. Report issue is timed in one
process (the signed PDF included: it is what a user waits for); verification through gunicorn as bench/verify.py
measures it (2 workers, persistent connections, one load process).
"""

import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from stdnum.cn import uscc

from bench.imports import DEFAULT_SERVER, ROOT, manage, prepare_database
from bench.verify import OUT, Server, measure

DB_NAME = "cleanrecord_bench_scale"
SMALL = (10_000, 2_000)  # penalties, entities
PENALISED_SHARE = 0.3
SIGMA = 1.2  # of the log-normal weights: the spread of penalties per penalised entity
PERIOD_DAYS = 6 * 365  # decisions spread over this many days back
CHUNK = 1 << 20  # bytes per COPY write


# Django is set up in the child processes that load and measure (each on its own database), not in the one that
# starts them: the functions that need it import what they use from it inside.

# -- the bulk loader ------------------------------------------------------------------------------

def credit_code(n: int, district: str) -> str:
    """The n-th entity's credit code: a company (91) of `district`, its body an old organisation code made from n
    (with its GB 11714 check character) and the code's own check character: valid, and unique for n < 10^8."""
    digits = f"{n:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    code = f"91{district}{digits}{'X' if check == 10 else '0' if check == 11 else check}"
    return code + uscc.calc_check_digit(code)


_SYLLABLES = "华兴盛达鑫源恒通瑞丰宏远金泰安和嘉业永昌新航天润博雅正信德明"
_TRADES = ("商贸", "科技", "建材", "餐饮", "物流", "食品", "医药", "建筑", "农业", "电子")


def entity_name(n: int, city: str) -> str:
    """A company name unique to n: its trade name spells n in syllables."""
    base = len(_SYLLABLES)
    syllables = ""
    while True:
        n, r = divmod(n, base)
        syllables += _SYLLABLES[r]
        if not n:
            break
    return f"{city}{syllables}{_TRADES[len(syllables) % len(_TRADES)]}有限公司"


def _copy(cur, table: str, columns: list[str], lines: Iterator[str]) -> int:
    """COPY the text-format `lines` into `table`, a megabyte at a time; the number of rows."""
    rows = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer: list[str] = []
        size = 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            rows += 1
            if size >= CHUNK // 3:  # characters, up to three bytes each
                copy.write("".join(buffer).encode())
                buffer.clear()
                size = 0
        if buffer:
            copy.write("".join(buffer).encode())
    return rows


def _without_indexes(cur, table: str):
    """Drop `table`'s unique constraints and secondary indexes (the primary key stays) and give back the
    statements that make them again: an index built once after the load is much faster than one kept up row by
    row with keys in random order."""
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'u'", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return ([f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
            + [definition for _, definition in indexes])


def bulk_load(*, penalties: int, entities: int, seed: int = 1, rebuild_indexes: bool = True) -> dict:
    """Add `entities` registered companies and `penalties` penalties over 30 % of them to the database Django is
    connected to (PostgreSQL; reference data loaded), with COPY. Returns counts and timings.

    `rebuild_indexes`: drop the penalty table's secondary indexes before the COPY and build them after (in a
    caller's transaction, as in a test, the index build would see no gain; pass False there)."""
    import numpy as np
    import orjson
    from django.db import connection
    from django.utils import timezone

    from cleanrecord.demo.generate import Reference
    from cleanrecord.entities.models import Entity
    from cleanrecord.records.importing.rows import PENALTY_HASH
    from cleanrecord.records.models import Penalty
    from cleanrecord.reference.models import Department

    reference = Reference.from_db()
    ids = dict(Department.objects.values_list("code", "id"))
    depts = [d for d in reference.departments if not d.is_court]
    districts = [code for code, _ in reference.districts] or [reference.city_code]
    rng = np.random.default_rng(seed)
    now = timezone.now()
    stamp = now.isoformat()
    today = timezone.localdate()
    timings: dict[str, float] = {}

    # Which entities have penalties, and how heavily: weights of the penalised ones, drawn once (2 M floats at most).
    penalised = np.flatnonzero(rng.random(entities) < PENALISED_SHARE)
    if not len(penalised):
        penalised = np.arange(min(entities, 1))
    weights = rng.lognormal(0.0, SIGMA, len(penalised))
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]

    def district_of(n: int) -> str:
        return districts[n % len(districts)]

    def entity_lines() -> Iterator[str]:
        est = dt.date(2000, 1, 1)
        for n in range(entities):
            district = district_of(n)
            yield (f"{credit_code(n, district)}\t{entity_name(n, reference.city_name)}\tcompany\t{district}\t\t"
                   f"\t\t\tactive\t{est + dt.timedelta(days=n % 8000)}\tf\tt\t{stamp}\t{stamp}\n")

    entity_columns = ["credit_code", "name", "kind", "region_code", "legal_rep", "reg_no", "legal_rep_id_encrypted",
                      "legal_rep_id_masked", "status", "established_on", "checksum_warning", "from_register",
                      "created_at", "updated_at"]
    penalty_columns = [
        "subject_key", "subject_name", "subject_category", "credit_code", "reg_no", "org_code", "tax_no",
        "institution_no", "social_org_no", "legal_rep", "legal_rep_id_type", "legal_rep_id_encrypted",
        "legal_rep_id_masked", "subject_id_type", "subject_id_encrypted", "subject_id_masked", "domain_id",
        "department_id", "source_name", "source_code", "authority_name", "authority_code", "region_code", "status",
        "revoked_on", "revoke_reason", "repaired_on", "repair_decision", "confidential", "remarks", "extra", "version",
        "content_hash", "batch_id", "created_at", "updated_at", "decision_no", "violation_type", "facts", "basis",
        "categories", "content", "fine_wan", "confiscated_wan", "licence_affected", "decided_on", "valid_until",
        "publish_until", "procedure", "not_penalised"]
    names = {f.attname for f in Penalty._meta.concrete_fields} - {"id"}
    assert names == set(penalty_columns), names ^ set(penalty_columns)  # a new column must be filled here too

    def penalty_lines() -> Iterator[str]:
        blank = dict.fromkeys(("reg_no", "org_code", "tax_no", "institution_no", "social_org_no", "legal_rep",
                               "legal_rep_id_type", "subject_id_type", "revoke_reason", "repair_decision",
                               "remarks", "licence_affected", "confiscated_wan", "valid_until", "revoked_on",
                               "repaired_on"), None)
        for text in ("reg_no", "org_code", "tax_no", "institution_no", "social_org_no", "legal_rep",
                     "legal_rep_id_type", "subject_id_type", "revoke_reason", "repair_decision", "remarks",
                     "licence_affected"):
            blank[text] = ""
        done = 0
        while done < penalties:
            size = min(100_000, penalties - done)
            who = penalised[np.searchsorted(cumulative, rng.random(size), side="right").clip(0, len(penalised) - 1)]
            dept_at = rng.integers(0, len(depts), size)
            days = rng.integers(1, PERIOD_DAYS, size)
            fines = rng.integers(1, 2000, size)
            odds = rng.random(size)
            for i in range(size):
                n = int(who[i])
                district = district_of(n)
                code = credit_code(n, district)
                dept = depts[dept_at[i]]
                decided = today - dt.timedelta(days=int(days[i]))
                seq = done + i + 1
                odd = odds[i]
                values = {
                    **blank, "subject_name": entity_name(n, reference.city_name), "subject_category": "org",
                    "credit_code": code, "domain_id": dept.domain, "department_id": ids[dept.code],
                    "source_name": dept.name, "source_code": dept.credit_code, "authority_name": dept.name,
                    "authority_code": dept.credit_code, "region_code": district,
                    "status": "revoked" if odd < 0.02 else "active", "confidential": False,
                    "decision_no": f"{dept.prefix}罚〔{decided.year}〕{seq}号", "violation_type": "未按规定履行义务",
                    "facts": "经查，当事人未按规定履行法定义务，事实清楚，证据确凿。", "basis": "依据相关法律法规第三十条",
                    "categories": "警告" if odd > 0.8 else "罚款", "content": "警告" if odd > 0.8 else
                    f"罚款{int(fines[i]) * 100}元", "fine_wan": None if odd > 0.8 else str(int(fines[i]) / 100),
                    "decided_on": decided, "publish_until": decided + dt.timedelta(days=3 * 365),
                    "procedure": "simple" if 0.7 < odd <= 0.8 else "ordinary", "not_penalised": False,
                    "extra": {},
                }
                if values["status"] == "revoked":
                    values["revoked_on"] = decided + dt.timedelta(days=30)
                content = orjson.dumps([*map(values.get, PENALTY_HASH), "", "", values["extra"]], default=str,
                                       option=orjson.OPT_SORT_KEYS)
                values["content_hash"] = hashlib.blake2b(content, digest_size=16).hexdigest()
                values |= {"subject_key": code, "legal_rep_id_encrypted": "", "legal_rep_id_masked": "",
                           "subject_id_encrypted": "", "subject_id_masked": "", "extra": "{}", "version": 1,
                           "batch_id": None, "created_at": stamp, "updated_at": stamp}
                yield "\t".join(r"\N" if v is None else "t" if v is True else "f" if v is False else str(v)
                                for v in map(values.__getitem__, penalty_columns)) + "\n"
            done += size

    table = Penalty._meta.db_table
    with connection.cursor() as wrapper:
        cur = wrapper.cursor  # psycopg's own: COPY
        started = time.perf_counter()
        loaded_entities = _copy(cur, Entity._meta.db_table, entity_columns, entity_lines())
        timings["entities"] = time.perf_counter() - started
        rebuild = _without_indexes(cur, table) if rebuild_indexes else []
        started = time.perf_counter()
        loaded_penalties = _copy(cur, table, penalty_columns, penalty_lines())
        timings["penalties"] = time.perf_counter() - started
        started = time.perf_counter()
        if rebuild:
            cur.execute("SET maintenance_work_mem = '512MB'")
        for sql in rebuild:
            cur.execute(sql)
        timings["indexes"] = time.perf_counter() - started
    return {"entities": loaded_entities, "penalties": loaded_penalties, "penalised": len(penalised),
            "timings": timings}


# -- child processes ------------------------------------------------------------------------------

def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()


def load_worker(penalties: int, entities: int) -> None:
    """Load the data, then ANALYZE; print what was loaded as JSON."""
    _django()
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        loaded = bulk_load(penalties=penalties, entities=entities)
    analyze = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        loaded["timings"]["analyze"] = time.perf_counter() - analyze
        loaded["seconds"] = time.perf_counter() - started
        cur.execute("SELECT pg_database_size(current_database()), pg_total_relation_size('records_penalty'), "
                    "pg_total_relation_size('entities_entity')")
        loaded["bytes"], loaded["penalty_bytes"], loaded["entity_bytes"] = cur.fetchone()
    print(json.dumps(loaded))


def sample(count: int, round_no: int = 0, rounds: int = 1) -> tuple[list[str], list[str]]:
    """Entities with records at `count` evenly spaced quantiles of records per entity (shifted a little in each
    round, so that no entity is issued twice), and `count` without."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT subject_key, COUNT(*) AS n FROM records_penalty GROUP BY subject_key ORDER BY n, subject_key")
        ranked = [key for key, _ in cur.fetchall()]
        cur.execute("SELECT e.credit_code FROM entities_entity e WHERE e.status = 'active' AND NOT EXISTS "
                    "(SELECT 1 FROM records_penalty p WHERE p.subject_key = e.credit_code) "
                    "ORDER BY md5(e.credit_code) LIMIT %s OFFSET %s", [count, count * round_no])
        clean = [key for (key,) in cur.fetchall()]
    with_records = [ranked[min(len(ranked) - 1, int((i + (round_no + 0.5) / rounds) / count * len(ranked)))]
                    for i in range(count)]
    return with_records, clean


def issue_worker(count: int, round_no: int = 0, rounds: int = 1) -> None:
    """Issue full reports for `count` entities with records and `count` without, alternately, and work out each
    one's changes since issue afresh (what a verification does when its cached answer is gone); print the
    timings (wall clock, and this process's CPU) and the reports' verification codes as JSON."""
    _django()
    from cleanrecord.reports.services import issue_report
    from cleanrecord.verification.services import changes_since_issue

    with_records, clean = sample(count, round_no, rounds)
    chosen = [c for pair in zip(with_records, clean, strict=True) for c in pair]
    issue_report(credit_code=clean[0], domains="all", purpose="finance")  # warm-up: fonts, signer, caches
    results = []
    for code in chosen:
        cpu, started = time.process_time(), time.perf_counter()
        report = issue_report(credit_code=code, domains="all", purpose="finance")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        assert changes_since_issue(report) == []
        results.append({"seconds": seconds, "cpu": cpu, "records": report.records_found,
                        "code": report.verification_code, "changes": time.perf_counter() - started})
    print(json.dumps(results))


def _plan_line(plan: dict) -> str:
    """The plan's nodes, with the index each uses, and the buffers the whole statement touched."""
    nodes, todo = [], [plan["Plan"]]
    while todo:
        node = todo.pop(0)
        nodes.append(node["Node Type"] + (f" using {node['Index Name']}" if "Index Name" in node else "")
                     + (f" on {node['Relation Name']}" if "Relation Name" in node and "Index Name" not in node else ""))
        todo += node.get("Plans", [])
    top = plan["Plan"]
    return (f"{' > '.join(nodes)}; buffers {top.get('Shared Hit Blocks', 0)} hit, {top.get('Shared Read Blocks', 0)} "
            f"read; {plan['Execution Time']:.2f} ms")


def explain_worker() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements that depend on the size, for the entity with the median number
    of penalties: the report's penalty lookup (its rules), the changes-since-issue lookup, the register lookup and
    the verification's report lookup. Print them as JSON."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cleanrecord.entities.models import Entity
    from cleanrecord.reports import rules
    from cleanrecord.reports.models import Report
    from cleanrecord.verification.services import _lookup

    with_records, _ = sample(1)
    subject = with_records[0]
    start, end = rules.default_period(timezone.localdate())
    in_force = rules.rules_in_force()
    scope = rules.Scope(subject, None, start, end)
    counted = rules.counted_penalties(scope, in_force)
    report = Report.objects.filter(entity_id=subject).order_by("-id").first()
    statements = {
        "report: counted penalties (full rows)": counted,
        "verification: changes since issue (penalties)": counted.values_list(
            "pk", "domain_id", "version", "content_hash", "repaired_on", "decision_no"),
        "report: the entity": Entity.objects.filter(credit_code=subject),
    }
    out = {name: _plan_line(json.loads(qs.explain(format="json", analyze=True, buffers=True))[0])
           for name, qs in statements.items()}
    if report is not None:
        with CaptureQueriesContext(connection) as captured:  # the verification's one statement: _lookup() builds it
            _lookup(report.verification_code, "bench-scale-explain")
        sql = captured.captured_queries[0]["sql"]
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            out["verification: report by code"] = _plan_line(cur.fetchone()[0][0])
    print(json.dumps(out))


# -- the benchmark --------------------------------------------------------------------------------

def _child(env: dict, *args: str) -> dict | list:
    done = subprocess.run([sys.executable, "-c", f"from bench import scale; scale.{args[0]}({', '.join(args[1:])})"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def build(penalties: int, entities: int, *, reuse: bool) -> dict:
    """The database of one size: loaded afresh, or kept when `reuse` and it holds these sizes already."""
    url = (os.getenv("BENCH_SCALE_DATABASE_URL") or f"{DEFAULT_SERVER}/{DB_NAME}") + f"_{penalties}"
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(OUT / f"scale-data-{penalties}"),
           "DB_CONN_MAX_AGE": "60"}
    label = f"{penalties:,} penalties over {entities:,} entities"
    size: dict = {"label": label, "env": env, "penalties": penalties, "issued": [], "verify": []}
    if reuse:
        try:
            with psycopg.connect(url) as conn:
                got = conn.execute("SELECT (SELECT COUNT(*) FROM records_penalty), "
                                   "(SELECT COUNT(*) FROM entities_entity)").fetchone()
            got = tuple(got) if got else None
        except psycopg.Error:
            got = None
        if got == (penalties, entities):
            done = manage(env, "migrate", "--no-input", "-v0")  # indexes added since it was built
            if done.returncode:
                raise SystemExit(done.stdout + done.stderr)
            if not (Path(env["CLEANRECORD_DATA_DIR"]) / "signing").is_dir():
                # The data folder went (a fresh checkout) while the scratch database stayed: its recorded roots
                # name keys that are gone, so it gets new ones, as a new installation would.
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("DELETE FROM reports_signingroot")
                done = manage(env, "signing_keys", "-v0", "init")
                if done.returncode:
                    raise SystemExit(done.stdout + done.stderr)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("ANALYZE")
                row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
                size["bytes"] = row[0] if row else 0
            print(f"{label}: database kept from an earlier run ({size['bytes'] / 1e9:.2f} GB on disk)")
            return size
    prepare_database(url, env)
    info = _child(env, "load_worker", str(penalties), str(entities))
    assert isinstance(info, dict)
    size["bytes"] = info["bytes"]
    t = info["timings"]
    print(f"{label}: loaded in {info['seconds']:.0f} s (entities {t['entities']:.0f} s, penalties "
          f"{t['penalties']:.0f} s = {penalties / max(t['penalties'], 1e-3):,.0f} rows/s, indexes {t['indexes']:.0f} s, "
          f"ANALYZE {t['analyze']:.0f} s); {info['penalised']:,} entities with penalties; on disk: database "
          f"{info['bytes'] / 1e9:.2f} GB, penalty table with its indexes {info['penalty_bytes'] / 1e9:.2f} GB, "
          f"entity table {info['entity_bytes'] / 1e9:.2f} GB  [load average {loadavg()}]")
    return size


def verify_phase(size: dict, seconds: float, *, warm: bool) -> dict:
    server = Server(size["env"], OUT / f"scale-gunicorn-{size['penalties']}.log")
    paths = [f"/api/v1/verify/{x['code']}" for x in size["issued"]]
    try:
        if warm:  # each worker works every answer out once and caches it: then the steady state is measured
            measure(server, paths, '"authentic"', seconds=30, requests=4 * len(paths), concurrency=4)
        return measure(server, paths, '"authentic"', seconds=seconds, requests=100_000, concurrency=4)
    finally:
        server.stop()


def summary(size: dict) -> dict:
    issued, verified = size["issued"], size["verify"]
    records = sorted(r["records"] for r in issued if r["records"])
    requests = sum(r["requests"] for r in verified)
    out = {
        "issue p50": statistics.median(r["seconds"] for r in issued), "issue p99": percentile(
            [r["seconds"] for r in issued], 0.99),
        "issue CPU p50": statistics.median(r["cpu"] for r in issued),
        "changes p50": statistics.median(r["changes"] for r in issued),
        "changes p99": percentile([r["changes"] for r in issued], 0.99),
        "verify rate": requests / sum(r["seconds"] for r in verified),
        "verify p99": statistics.median(r["p99"] for r in verified),
        "verify CPU": sum(r["server_cpu"] for r in verified) / requests,
    }
    print(f"{size['label']} ({size['bytes'] / 1e9:.2f} GB on disk):")
    print(f"  report issue, {len(issued)} reports ({len(records)} with records: median {records[len(records) // 2]}, "
          f"most {records[-1]}): p50 {out['issue p50'] * 1000:.0f} ms, p99 {out['issue p99'] * 1000:.0f} ms "
          f"(CPU of the issuing process: p50 {out['issue CPU p50'] * 1000:.0f} ms)")
    print(f"  changes since issue worked out afresh (a verification whose cached answer is gone): "
          f"p50 {out['changes p50'] * 1000:.1f} ms, p99 {out['changes p99'] * 1000:.1f} ms")
    print(f"  verification API: {out['verify rate']:.0f} req/s, p99 {out['verify p99'] * 1000:.1f} ms (median of the "
          f"rounds' p99), gunicorn CPU per request {out['verify CPU'] * 1000:.2f} ms, errors "
          f"{sum(r['errors'] for r in verified)} ({requests} requests)")
    for name, line in size["plans"].items():
        print(f"  plan, {name}: {line}")
    return out


def run(penalties: int = 10_000_000, entities: int = 2_000_000, *, count: int = 20, rounds: int = 3,
        seconds: float = 5.0, reuse: bool = False, warm: bool = True) -> None:
    """Both sizes are measured in turns (small, large, small, large …), so that load from elsewhere on the machine
    falls on both alike; the load average is printed with each turn. `warm`: verification is measured once every
    gunicorn worker has cached every report's answer (the steady state); without it, a short run is mostly first
    looks, each working its answer out from the subject's records."""
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"\n== scale benchmark: report issue and verification at {SMALL[0]:,} and at {penalties:,} penalties "
          f"(PostgreSQL, {os.cpu_count()} cores; load average before: {loadavg()})")
    sizes = [build(*SMALL, reuse=reuse), build(penalties, entities, reuse=reuse)]
    for round_no in range(rounds):
        for size in sizes:
            issued = _child(size["env"], "issue_worker", str(count), str(round_no), str(rounds))
            assert isinstance(issued, list)
            size["issued"] += issued
            print(f"  round {round_no + 1}, {size['penalties']:,}: {len(issued)} reports issued, p50 "
                  f"{statistics.median(r['seconds'] for r in issued) * 1000:.0f} ms  [load average {loadavg()}]")
    for round_no in range(rounds):
        for size in sizes:
            r = verify_phase(size, seconds, warm=warm)
            size["verify"].append(r)
            print(f"  round {round_no + 1}, {size['penalties']:,}: {r['requests'] / r['seconds']:.0f} verifications/s"
                  f"  [load average {loadavg()}]")
    for size in sizes:
        plans = _child(size["env"], "explain_worker")
        assert isinstance(plans, dict)
        size["plans"] = plans
    small, large = (summary(size) for size in sizes)
    ratios = {"issue p50": large["issue p50"] / small["issue p50"], "issue p99": large["issue p99"] / small["issue p99"],
              "changes since issue p50": large["changes p50"] / small["changes p50"],
              "verification rate": small["verify rate"] / large["verify rate"],
              "verification p99": large["verify p99"] / small["verify p99"]}
    print("large / small (above 1: slower at the large size): " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))
    print("target: within 1.5x: " + ("met" if all(v <= 1.5 for v in ratios.values()) else "NOT met"))
