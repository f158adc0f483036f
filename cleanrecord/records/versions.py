"""Per-subject data versions (SubjectVersion): bumped in the transaction of every change of a subject's data.

Whatever the verification's "changes since issue" reads — the subject's records of every kind, their
versions, the objections on them and the severity explanations — moves the subject's version forward:

- the import's set-based merge bumps the distinct subjects of the rows it created or changed, in one
  statement (`bump_staged`);
- every record, objection or explanation saved or deleted through the ORM (records.changes: revoke,
  correct, repair; the objection workflow; the admin) bumps its subject by the post_save / post_delete
  receivers connected here and in the objections app (`bump`).

The bump is an upsert in the writer's transaction: a reader sees the new version only with the new data.
The new version is max(old + 1, now in µs), so versions are never reused, not even after a restore.
"""

import time
from collections.abc import Iterable

from django.db import connection

from .models import SubjectVersion

TABLE = SubjectVersion._meta.db_table


def _upsert_sql(select: str) -> str:
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return (f"INSERT INTO {TABLE} (subject_key, version) {select} "
            f"ON CONFLICT (subject_key) DO UPDATE SET version = {greatest}({TABLE}.version + 1, excluded.version)")


def _now_us() -> int:
    return time.time_ns() // 1000


def bump(subject_keys: Iterable[str]) -> None:
    """Move each subject's data version forward (in sorted order: two writers never wait on each other in turn)."""
    keys = sorted({k for k in subject_keys if k})
    if not keys:
        return
    now = _now_us()
    with connection.cursor() as cur:
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            values = ", ".join(["(%s, %s)"] * len(part))
            cur.execute(_upsert_sql(f"VALUES {values}"), [v for k in part for v in (k, now)])


def bump_staged(cursor, stage: str, where: str) -> None:
    """The import's merge: bump every distinct subject of the staged rows matching `where`, in one statement."""
    # SQLite parses INSERT … SELECT … ON CONFLICT only when the SELECT has a WHERE clause: it always has.
    cursor.execute(_upsert_sql(f"SELECT DISTINCT subject_key, %s FROM {stage} WHERE {where} ORDER BY subject_key"),
                   [_now_us()])


def current(subject_key: str) -> int:
    """The subject's data version (0: it has not changed since versions were kept)."""
    return SubjectVersion.objects.filter(subject_key=subject_key).values_list("version", flat=True).first() or 0


def bump_saved(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for any model with a subject_key (loaded fixtures too: a miss is cheap)."""
    bump([instance.subject_key])
