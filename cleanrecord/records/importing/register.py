"""Writing register rows (the entity register import) in batches through the ORM.

Register files are at most a few hundred thousand rows and change little, so plain batched
look-ups and bulk writes are enough here; records use the staging writer instead.
"""

import datetime as dt
from dataclasses import dataclass, field

from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt

from .rows import Parsed
from .writer import Counts

BATCH = 1000
FIELDS = ["name", "kind", "region_code", "legal_rep", "status", "established_on", "checksum_warning", "reg_no"]


@dataclass
class RegisterWriter:
    now: dt.datetime
    counts: Counts = field(default_factory=Counts)

    def __post_init__(self) -> None:
        self._pending: dict[str, Parsed] = {}
        self._seen: set[str] = set()  # every code in the file: a repeat far apart is still a duplicate
        self._uncounted: set[str] = set()
        self.timings: dict[str, float] = {}
        self.rows = 0

    def start(self) -> None:
        pass

    def add(self, p: Parsed) -> None:
        """Queue one row. A code seen before in this file counts as a duplicate; the last row wins."""
        self.rows += 1
        code = p.values["credit_code"]
        if code in self._seen:
            self.counts.duplicate += 1
            if code not in self._pending:  # the earlier row is written already: apply this one uncounted
                self._uncounted.add(code)
        self._seen.add(code)
        self._pending[code] = p
        if len(self._pending) >= BATCH:
            self._flush()

    def finish_loading(self) -> None:
        self._flush()

    def abort(self, exc) -> None:
        pass

    def merge(self) -> Counts:
        return self.counts

    def _flush(self) -> None:
        if not self._pending:
            return
        existing = Entity.objects.in_bulk(list(self._pending))
        create, update = [], []
        for code, p in self._pending.items():
            v = p.values
            entity = existing.get(code)
            if entity is None:
                entity = Entity(credit_code=code, created_at=self.now)
                create.append(entity)
            else:
                old_id = fieldcrypt.decrypt(entity.legal_rep_id_encrypted) if entity.legal_rep_id_encrypted else ""
                same = all(getattr(entity, f) == v.get(f, getattr(entity, f)) for f in FIELDS)
                if same and entity.from_register and old_id == v.get("legal_rep_id", ""):
                    self.counts.unchanged += code not in self._uncounted
                    continue
                update.append(entity)
            for f in FIELDS:
                if f in v:
                    setattr(entity, f, v[f])
            entity.set_legal_rep_id(v.get("legal_rep_id", ""))
            entity.from_register = True
            entity.updated_at = self.now
        Entity.objects.bulk_create(create)
        Entity.objects.bulk_update(update, [*FIELDS, "legal_rep_id_encrypted", "legal_rep_id_masked", "from_register",
                                            "updated_at"])
        self.counts.created += len(create)
        self.counts.updated += sum(1 for e in update if e.credit_code not in self._uncounted)
        self._uncounted.clear()
        self._pending.clear()
