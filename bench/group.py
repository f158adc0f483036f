"""Group issue (issue 18 point 6): one group batch of 20 subsidiaries' full 38-domain signed reports, on PostgreSQL.

A group company the office authorised for 20 demo entities (half with records) applies once: time of the batch
(20 reports issued, the summary typeset and signed, in one transaction), then the ZIP streamed as a download
streams it (time, size).
"""

import json
import os
import subprocess
import sys
import time

from bench.imports import DEFAULT_SERVER, ROOT, prepare_database

DB_NAME = "cleanrecord_bench_group"
OUT = ROOT / "bench" / "out"


def worker(count: int) -> None:
    """Authorise a group for `count` subsidiaries, issue the batch, stream its ZIP; print figures as JSON."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    django.setup()
    from django.utils import timezone

    from cleanrecord.entities.models import Entity
    from cleanrecord.records.models import Penalty
    from cleanrecord.reference import regions
    from cleanrecord.reports.groups import issue_group, zip_chunks
    from cleanrecord.reports.models import GroupAuthorisation
    from cleanrecord.reports.services import issue_report

    codes = list(Entity.objects.filter(regions.in_region("region_code"), status="active").order_by("credit_code")
                 .values_list("credit_code", flat=True))
    with_records = set(Penalty.objects.filter(subject_key__in=codes).values_list("subject_key", flat=True))
    have = [c for c in codes if c in with_records]
    clean = [c for c in codes if c not in with_records]
    parent_code, chosen = clean[0], [c for pair in zip(have, clean[1:], strict=False) for c in pair][:count]
    parent = Entity.objects.get(credit_code=parent_code)
    today = timezone.localdate()
    GroupAuthorisation.objects.filter(parent=parent).delete()
    GroupAuthorisation.objects.bulk_create(GroupAuthorisation(
        parent=parent, subsidiary_id=c, valid_from=today, valid_until=today + dt.timedelta(days=365)) for c in chosen)
    issue_report(credit_code=parent_code, domains="all", purpose="finance")  # warm-up: fonts, signer, caches
    started = time.perf_counter()
    batch = issue_group(parent=parent, subsidiaries="all", domains="all", purpose="finance")
    issued = time.perf_counter() - started
    started, size = time.perf_counter(), 0
    for chunk in zip_chunks(batch):
        size += len(chunk)
    zipped = time.perf_counter() - started
    print(json.dumps({"subsidiaries": batch.reports.count(), "with_records": sum(1 for c in chosen if c in with_records),
                      "issue": issued, "zip": zipped, "zip_size": size, "summary_size": batch.summary_size,
                      "pdf_sizes": sum(batch.reports.values_list("pdf_size", flat=True))}))


def run(count: int = 20) -> None:
    url = os.getenv("BENCH_GROUP_DATABASE_URL") or f"{DEFAULT_SERVER}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "CLEANRECORD_DATA_DIR": str(OUT / "group-data")}
    print(f"\n== group benchmark: one batch of {count} subsidiaries' full signed reports ({url.rsplit('@', 1)[-1]})")
    prepare_database(url, env, demo_entities=200)
    done = subprocess.run([sys.executable, "-m", "bench", "--group-worker", str(count)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, text=True, check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{r['subsidiaries']} subsidiaries ({r['with_records']} with records): batch issued in {r['issue']:.2f} s "
          f"({r['issue'] / r['subsidiaries'] * 1000:.0f} ms per report, summary included)")
    print(f"  ZIP streamed in {r['zip'] * 1000:.0f} ms: {r['zip_size'] / 1024:.0f} KB "
          f"(reports {r['pdf_sizes'] / 1024:.0f} KB, summary {r['summary_size'] / 1024:.0f} KB)")
