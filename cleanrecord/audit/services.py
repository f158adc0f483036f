from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64


@transaction.atomic
def record_event(*, user, action: str, target: str = "", before=None, after=None, actor: str = "") -> AuditEntry:
    """Append one entry to the audit trail, chained to the entry before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # one writer at a time, so the chain never forks
            cur.execute("SELECT pg_advisory_xact_lock(727274)")
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    label = actor or (user.get_username() if user is not None and user.is_authenticated else "system")
    entry = AuditEntry(
        at=timezone.now(), user=user if user is not None and user.is_authenticated else None, actor=label,
        action=action, target=target, before=before, after=after, prev_hash=last or GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    return entry
