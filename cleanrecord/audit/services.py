from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import AuditEntry

GENESIS = chain.GENESIS
# One writer at a time, so the chain never forks; held to commit, so ids also commit in order.
CHAIN_LOCK = 727274


@transaction.atomic
def record_event(*, user, action: str, target: str = "", before=None, after=None, actor: str = "") -> AuditEntry:
    """Append one entry to the audit trail, chained to the entry before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    signed_in = user is not None and user.is_authenticated
    entry = AuditEntry(
        id=next_id(AuditEntry, last[0] if last else 0), at=timezone.now(), user=user if signed_in else None,
        user_ref=user.pk if signed_in else None, actor=actor or (user.get_username() if signed_in else "system"),
        action=action, target=target, before=before, after=after, prev_hash=last[1] if last else GENESIS,
        hash_version=chain.current_version(),
    )
    entry.hash = entry.compute_hash()
    # An insert and nothing else: the application's database role may not UPDATE this table.
    entry.save(force_insert=True)
    return entry


def next_id(model, last_id: int) -> int:
    """The id the next entry gets, known before it is written because its hash covers it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
            return cur.fetchone()[0]
    return last_id + 1  # SQLite: the write transaction (IMMEDIATE) keeps others out until commit
