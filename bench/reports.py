"""Report issue speed: full 38-domain signed reports for demo entities, on PostgreSQL.

Targets (issue 3): p50 ≤ 100 ms, p99 ≤ 300 ms, at least 15 reports/s with 2 workers, PDF ≤ 300 KB.
Each worker is a separate process (as two web workers would be) issuing reports one after another.
Then one entity with 14,000 penalties (issue 11): its report must be issued well within a web server's
timeout (target < 10 s).
"""

import json
import os
import statistics
import subprocess
import sys
import time

from bench.imports import DEFAULT_SERVER, ROOT, prepare_database

DB_NAME = "cleanrecord_bench_reports"
OUT = ROOT / "bench" / "out"


def worker(count: int, offset: int) -> None:
    """Issue `count` reports and print their timings as JSON (run in a child process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.reference import regions
    from cleanrecord.reports.services import issue_report

    with_records = list(Penalty.objects.values_list("subject_key", flat=True).distinct().order_by("subject_key"))
    codes = list(Entity.objects.filter(regions.in_region("region_code"), status="active").order_by("credit_code")
                 .values_list("credit_code", flat=True))
    # Alternate entities with records and entities without.
    with_records = [c for c in with_records if c in set(codes)]
    clean = [c for c in codes if c not in set(with_records)]
    chosen = [c for pair in zip(with_records, clean, strict=False) for c in pair]
    issue_report(credit_code=chosen[0], domains="all", purpose="finance")  # warm-up: fonts, signer, caches
    results = []
    for i in range(count):
        code = chosen[(offset + i) % len(chosen)]
        timings: dict = {}
        started = time.perf_counter()
        report = issue_report(credit_code=code, domains="all", purpose="finance", timings=timings)
        results.append({"total": time.perf_counter() - started, "size": report.pdf_size,
                        "records": report.records_found, **timings})
    print(json.dumps(results))


LONG_RECORDS = 14_000
LONG_CODE_BODY = "91620102MA71LR7K0"


def long_worker(records: int) -> None:
    """Give one entity `records` penalties (bulk insert) and issue its full report; print timings as JSON."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from django.utils import timezone
    from stdnum.cn import uscc

    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.reference.models import Department
    from cleanrecord.reports.services import issue_report

    code = LONG_CODE_BODY + uscc.calc_check_digit(LONG_CODE_BODY)
    entity, _ = Entity.objects.get_or_create(credit_code=code, defaults=dict(
        name="兰州大量处罚记录测试有限公司", kind="company", region_code=code[2:8], legal_rep="王五", from_register=True))
    if Penalty.objects.filter(subject_key=code).count() != records:
        Penalty.objects.filter(subject_key=code).delete()
        dept, now, today = Department.objects.get(code="amr"), timezone.now(), timezone.localdate()
        Penalty.objects.bulk_create((Penalty(
            subject_key=code, subject_name=entity.name, subject_category="org", credit_code=code,
            domain_id=("market-regulation", "transport", "ecology-environment")[n % 3], department=dept,
            source_name=dept.name, source_code=dept.credit_code, authority_name=dept.name,
            authority_code=dept.credit_code, region_code="620100", decision_no=f"兰市监罚〔2025〕{n + 1}号",
            violation_type="虚假宣传", facts="发布虚假广告", basis="《广告法》第五十五条", categories="罚款",
            content="罚款五千元", fine_wan="0.5", decided_on=today - dt.timedelta(days=1 + n % 900),
            content_hash=f"long{n}", created_at=now, updated_at=now) for n in range(records)), batch_size=2000)
    issue_report(credit_code=code, domains=["market-regulation"], purpose="finance")  # warm-up: fonts, signer
    timings: dict = {}
    cpu, started = time.process_time(), time.perf_counter()
    report = issue_report(credit_code=code, domains="all", purpose="finance", timings=timings)
    print(json.dumps({"total": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                      "records": report.records_found, "size": report.pdf_size, **timings}))


def run(count: int = 200) -> None:
    url = os.getenv("BENCH_REPORTS_DATABASE_URL") or f"{DEFAULT_SERVER}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(OUT / "reports-data")}
    print(f"\n== report benchmark: full 38-domain signed reports on PostgreSQL ({url.rsplit('@', 1)[-1]})")
    prepare_database(url, env, demo_entities=2000)

    def start(n: int, offset: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "bench", "--report-worker", str(n), str(offset)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, text=True)

    single = json.loads(start(count, 0).communicate()[0])
    totals = sorted(r["total"] for r in single)
    p50, p99 = statistics.median(totals), totals[int(len(totals) * 0.99) - 1]
    render = statistics.median(r["render"] for r in single)
    parts = {k: statistics.median(r[k] for r in single) * 1000 for k in ("rules", "snapshot", "render", "sign", "store")}
    sizes = [r["size"] for r in single]
    with_records = [r for r in single if r["records"]]
    print(f"one worker, {count} reports (half with records): p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print("  median per step: " + ", ".join(f"{k} {v:.1f} ms" for k, v in parts.items()))
    print(f"  PDF size: median {statistics.median(sizes) / 1024:.0f} KB, largest {max(sizes) / 1024:.0f} KB "
          f"({len(with_records)} reports with records)")
    print(f"  full issue / bare Typst render = {p50 / render:.1f}x")

    started = time.perf_counter()
    workers = [start(count // 2, i * 7) for i in range(2)]
    both = [r for w in workers for r in json.loads(w.communicate()[0])]
    wall = time.perf_counter() - started
    # The wall time includes each worker's start-up and warm-up; report the issuing rate alone too.
    busy = max(sum(r["total"] for r in both[:count // 2]), sum(r["total"] for r in both[count // 2:]))
    print(f"two workers, {len(both)} reports: {len(both) / busy:.1f} reports/s while issuing "
          f"({len(both) / wall:.1f}/s including start-up)")
    targets = [("p50 <= 100 ms", p50 <= 0.1), ("p99 <= 300 ms", p99 <= 0.3), (">= 15 reports/s", len(both) / busy >= 15),
               ("PDF <= 300 KB", max(sizes) <= 300 * 1024)]
    print("targets: " + ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in targets))

    done = subprocess.run([sys.executable, "-m", "bench", "--long-report-worker", str(LONG_RECORDS)], cwd=ROOT,
                          env=env, stdout=subprocess.PIPE, text=True, check=True)
    long = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"one entity with {long['records']:,} records: {long['total']:.2f} s ({long['cpu']:.2f} s CPU), "
          f"PDF {long['size'] / 1024:.0f} KB; " + ", ".join(f"{k} {long[k]:.2f} s" for k in
                                                          ("rules", "snapshot", "render", "sign", "store")))
    print(f"target: under 10 s: {'met' if long['total'] < 10 else 'NOT met'}")
