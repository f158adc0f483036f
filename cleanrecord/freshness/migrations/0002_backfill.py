"""Fill the freshness tables from what the platform already holds: each department's last applied import,
and each (department, domain) pair of its records. One pass over the record tables, once."""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

REPORTED = ("penalty", "compulsion", "listing", "judgment")
MODELS = {"penalty": "Penalty", "compulsion": "Compulsion", "listing": "Listing", "judgment": "Judgment"}


def backfill(apps, schema_editor):
    ImportBatch = apps.get_model("records", "ImportBatch")
    SourceStatus = apps.get_model("freshness", "SourceStatus")
    Feed = apps.get_model("freshness", "Feed")
    departments = set(apps.get_model("reference", "Department").objects.values_list("pk", flat=True))
    last: dict[int, object] = {}
    batches = (ImportBatch.objects.filter(status="done", kind__in=REPORTED, department__isnull=False)
               .values_list("department_id", "finished_at", "started_at", "rows_read", "rows_rejected"))
    for department_id, finished_at, started_at, read, rejected in batches.iterator():
        if read and rejected >= read:
            continue
        day = timezone.localdate(finished_at or started_at)
        last[department_id] = max(day, last.get(department_id, day))
    SourceStatus.objects.bulk_create([SourceStatus(department_id=d, last_import_on=day) for d, day in last.items()])
    feeds: dict[tuple[int, str], object] = {}
    for kind in REPORTED:
        model = apps.get_model("records", MODELS[kind])
        rows = model.objects.order_by().values("department_id", "domain_id").annotate(last=Max("updated_at"))
        for row in rows:
            if row["domain_id"] is None or row["department_id"] not in departments:
                continue
            key, day = (row["department_id"], row["domain_id"]), timezone.localdate(row["last"])
            feeds[key] = max(day, feeds.get(key, day))
    Feed.objects.bulk_create([Feed(department_id=d, domain_id=c, origin="records", last_records_on=day)
                              for (d, c), day in feeds.items()])


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0001_initial"),
        ("records", "0004_compulsion_judgment"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
