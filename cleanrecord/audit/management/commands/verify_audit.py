import datetime as dt
import sys
from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord.audit import chain, checkpoints
from cleanrecord.audit.models import AuditEntry

# The nightly checkpoint, missed once, is not yet a reason to warn.
STALE = dt.timedelta(days=2)


@dataclass
class ChainCheck:
    count: int = 0  # entries found intact
    last: AuditEntry | None = None  # the last intact entry
    broken: AuditEntry | None = None  # the first entry whose hash or link is wrong
    problem: str = ""
    # For each watched id (the checkpoints'), its hash and how many entries up to it, once reached intact.
    seen: dict[int, tuple[str, int]] = field(default_factory=dict)


def check_chain(entries: Iterable[AuditEntry], *, watch: Set[int] = frozenset(), users: set[int] | None = None,
                key: bytes | None = None) -> ChainCheck:
    """Walk `entries` in id order, stopping at the first one whose own hash or link to the previous is wrong.

    `users` are the ids of the users that exist: an entry's user may have been unlinked (NULL) only when its
    user is gone. `key` is the chain's key (read once by the caller).
    """
    result = ChainCheck()
    for entry in entries:
        result.problem = _entry_problem(entry, result.last, users, key)
        if result.problem:
            result.broken = entry
            return result
        result.count += 1
        result.last = entry
        if entry.id in watch:
            result.seen[entry.id] = (entry.hash, result.count)
    return result


def _entry_problem(entry: AuditEntry, prev: AuditEntry | None, users: set[int] | None, key: bytes | None) -> str:
    if entry.hash_version not in chain.KEYED:
        return (gettext("摘要版本为 %(version)s，不是以审计密钥计算的摘要：没有密钥也能重算，记录可能被整段改写过")
                % {"version": entry.hash_version})
    recomputed = chain.keyed_hash(entry, entry.hash_version, key)
    if recomputed != entry.hash:
        return (gettext("内容与摘要不符，写入后被改动过，或摘要是不持有审计密钥者重算的（存储的摘要 %(stored)s…，"
                        "按内容计算为 %(computed)s…）") % {"stored": entry.hash[:16], "computed": recomputed[:16]})
    if prev is None and entry.prev_hash != chain.GENESIS:
        return (gettext("链首的前一条摘要应为全零，记录的是 %(prev)s…：更早的记录被删除过")
                % {"prev": entry.prev_hash[:16]})
    if prev is not None and entry.prev_hash != prev.hash:
        return (gettext("前一条摘要与 #%(id)s 不符（#%(id)s 为 %(hash)s…，本条记录的是 %(prev)s…）："
                        "两者之间的记录被删除、插入或改动过")
                % {"id": prev.id, "hash": prev.hash[:16], "prev": entry.prev_hash[:16]})
    if entry.user_id != entry.user_ref:
        if entry.user_id is not None:
            return (gettext("操作人被改为用户 #%(user)s，摘要所覆盖的是用户 #%(ref)s")
                    % {"user": entry.user_id, "ref": entry.user_ref})
        if users is not None and entry.user_ref in users:
            return gettext("操作人（用户 #%(ref)s）的关联被清除，但该用户仍然存在") % {"ref": entry.user_ref}
    return ""


def check_checkpoints(found: list[checkpoints.Checkpoint], check: ChainCheck, total: int) -> list[str]:
    """What the signed checkpoints say is missing or changed; [] when each still holds."""
    problems = []
    for point in found:
        if point.problem:
            problems.append(gettext("检查点 %(name)s：%(problem)s") % {"name": point.name, "problem": point.problem})
            continue
        label = (gettext("检查点 %(name)s（%(at)s，共 %(count)s 条，最后一条 #%(entry)s）")
                 % {"name": point.name, "at": f"{timezone.localtime(point.at):%Y-%m-%d %H:%M:%S}",
                    "count": point.count, "entry": point.entry_id})
        if point.count > total:
            problems.append(gettext("%(label)s：日志现只有 %(total)s 条，少于检查点记录的 %(count)s 条，"
                                    "记录被删除或整表被清空（TRUNCATE）")
                            % {"label": label, "total": total, "count": point.count})
        if point.entry_id == 0:
            continue
        if point.entry_id in check.seen:
            hash_now, position = check.seen[point.entry_id]
            if hash_now != point.hash:
                problems.append(gettext("%(label)s：#%(entry)s 的摘要现为 %(now)s…，检查点签署的是 %(signed)s…："
                                        "它或它之前的记录被改写过")
                                % {"label": label, "entry": point.entry_id, "now": hash_now[:16],
                                   "signed": point.hash[:16]})
            elif position != point.count:
                problems.append(gettext("%(label)s：到 #%(entry)s 为止现有 %(position)s 条：之前的记录被删除或插入过")
                                % {"label": label, "entry": point.entry_id, "position": position})
        elif check.broken is not None and point.entry_id >= check.broken.id:
            problems.append(gettext("%(label)s：在断裂处之后，无法确认") % {"label": label})
        else:
            problems.append(gettext("%(label)s：#%(entry)s 已不在日志中，它和之后的记录被删除过")
                            % {"label": label, "entry": point.entry_id})
    return problems


class Command(BaseCommand):
    help = ("Check the audit trail: the keyed hash chain over every entry, and every signed checkpoint of its head "
            "(signature, entry and hash still there, count not shrunk). Exit 0 when intact, else name each problem "
            "and exit 1.")

    def handle(self, *args, **options):
        problems = []
        try:
            found = checkpoints.load_all()
        except checkpoints.CheckpointRefused as exc:
            found = []
            problems.append(str(exc))
        total = AuditEntry.objects.count()
        try:
            key = chain.audit_key(create=False) if total else None
        except ImproperlyConfigured as exc:
            self.stderr.write(gettext("审计日志无法核验：找不到审计密钥（CLEANRECORD_AUDIT_KEY）。%(exc)s") % {"exc": exc})
            sys.exit(1)
        users = set(get_user_model().objects.values_list("pk", flat=True))
        check = check_chain(AuditEntry.objects.order_by("id").iterator(chunk_size=2000),
                            watch={p.entry_id for p in found}, users=users, key=key)
        problems += check_checkpoints(found, check, total)
        if check.broken is not None:
            entry = check.broken
            problems.insert(0, gettext("第一条断裂的记录是 #%(id)s，时间 %(at)s，操作 %(action)s，操作人 %(actor)s，"
                                       "对象 %(target)s。问题：%(problem)s")
                            % {"id": entry.id, "at": f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}",
                               "action": entry.action, "actor": entry.actor, "target": entry.target or "-",
                               "problem": check.problem})
        if problems:
            self.stderr.write(gettext("审计日志不完整：%(problems)s") % {"problems": "\n".join(problems)})
            sys.exit(1)
        self.stdout.write(gettext("审计日志完整：共 %(check_count)s 条") % {"check_count": check.count})
        if check.last is not None:
            last = check.last
            self.stdout.write(gettext("最后一条：#%(id)s，%(at)s，摘要 %(hash)s")
                              % {"id": last.id, "at": f"{timezone.localtime(last.at):%Y-%m-%d %H:%M:%S}",
                                 "hash": last.hash})
        if found:
            newest = found[-1]
            self.stdout.write(gettext("检查点：%(n)s 个，签名均有效，均与日志相符；最新 %(name)s（%(at)s，共 %(count)s 条）")
                              % {"n": len(found), "name": newest.name,
                                 "at": f"{timezone.localtime(newest.at):%Y-%m-%d %H:%M:%S}", "count": newest.count})
            age = timezone.now() - newest.at
            if age > STALE:
                self.stderr.write(gettext("警告：最新的审计检查点已是 %(age_days)s 天前，其后的记录只受审计密钥保护；请检查每晚的 manage.py audit_checkpoint 是否在运行")
                                  % {"age_days": age.days})
        else:
            # Without a checkpoint, removal of the newest entries cannot be proven: say so where it is seen.
            self.stderr.write(gettext("警告：没有审计检查点，无法证明最新的记录未被删除；请每晚运行 manage.py audit_checkpoint"))
