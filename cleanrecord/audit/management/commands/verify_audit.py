import sys
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import GENESIS


@dataclass
class ChainCheck:
    count: int = 0  # entries found intact
    last: AuditEntry | None = None  # the last intact entry
    broken: AuditEntry | None = None  # the first entry whose hash or link is wrong
    problem: str = ""


def check_chain(entries: Iterable[AuditEntry]) -> ChainCheck:
    """Walk `entries` in id order, stopping at the first one whose own hash or link to the previous is wrong."""
    result = ChainCheck()
    for entry in entries:
        recomputed = entry.compute_hash()
        if recomputed != entry.hash:
            result.problem = (f"内容与摘要不符，写入后被改动过（存储的摘要 {entry.hash[:16]}…，"
                              f"按内容计算为 {recomputed[:16]}…）")
        elif result.last is None and entry.prev_hash != GENESIS:
            result.problem = f"链首的前一条摘要应为全零，记录的是 {entry.prev_hash[:16]}…：更早的记录被删除过"
        elif result.last is not None and entry.prev_hash != result.last.hash:
            prev = result.last
            result.problem = (f"前一条摘要与 #{prev.id} 不符（#{prev.id} 为 {prev.hash[:16]}…，本条记录的是 "
                              f"{entry.prev_hash[:16]}…）：两者之间的记录被删除、插入或改动过")
        if result.problem:
            result.broken = entry
            return result
        result.count += 1
        result.last = entry
    return result


class Command(BaseCommand):
    help = "Check the audit trail's hash chain: exit 0 when intact, else name the first broken entry and exit 1."

    def handle(self, *args, **options):
        check = check_chain(AuditEntry.objects.order_by("id").iterator(chunk_size=2000))
        if check.broken is not None:
            entry = check.broken
            self.stderr.write(f"审计日志不完整：第一条断裂的记录是 #{entry.id}，"
                              f"时间 {timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}，操作 {entry.action}，"
                              f"操作人 {entry.actor}，对象 {entry.target or '-'}。问题：{check.problem}")
            sys.exit(1)
        self.stdout.write(f"审计日志完整：共 {check.count} 条")
        if check.last is not None:
            # Kept outside the database (a ticket, a printout), this also detects removal of the newest entries.
            last = check.last
            self.stdout.write(f"最后一条：#{last.id}，{timezone.localtime(last.at):%Y-%m-%d %H:%M:%S}，摘要 {last.hash}")
