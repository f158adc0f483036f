"""Applying a file's accepted rows to the database in a few set-based statements.

Rows stream into a temporary staging table (PostgreSQL: COPY; SQLite: batched INSERT); when two
processes load a large file at once (parallel.py), into an unlogged table of the import's own that
both COPY into. Then SQL that both databases understand drops rows a later row of the same file
supersedes, matches the rest to existing records by natural key, inserts new records, updates changed
ones, writes one version per created or changed record, and adds entities the register does not know
yet. The caller wraps it all in one transaction, so a failure anywhere leaves nothing behind (a shared
staging table, made outside it, is dropped by merge() or, after a failure, by drop_shared_stage()).
"""

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, DateField, DecimalField, JSONField
from psycopg.types.json import Jsonb

from cleanrecord.records import versions
from cleanrecord.records.models import CreditRecord

from .lifetime import pause_at
from .rows import Parsed

SKIP = {"id", "version", "batch", "created_at", "updated_at"}
_EMPTY_JSONB = Jsonb({}, orjson.dumps)  # most rows have no extra columns
SQLITE_BATCH = 2000
STAGE_EXTRA_COLUMNS = (("row_no", "integer"), ("entity_kind", "varchar(20)"), ("entity_warning", "boolean"),
                       ("record_id", "bigint"), ("old_hash", "varchar(32)"), ("old_version", "integer"))

# Lifecycle set on the platform (objections, repair) survives a re-sent row that doesn't carry it.
LIFECYCLE_SQL = {
    "status": "CASE WHEN s.status = 'active' AND t.status = 'revoked' THEN t.status ELSE s.status END",
    # A revocation sent without a date is dated on arrival; re-sending it later keeps the first date.
    "revoked_on": "CASE WHEN t.status = 'revoked' AND (s.status = 'active' OR s.revoked_on IS NULL) "
                  "THEN t.revoked_on ELSE s.revoked_on END",
    "revoke_reason": "CASE WHEN s.status = 'active' AND t.status = 'revoked' THEN t.revoke_reason ELSE s.revoke_reason END",
    "repaired_on": "COALESCE(s.repaired_on, t.repaired_on)",
    "repair_decision": "CASE WHEN s.repair_decision <> '' THEN s.repair_decision ELSE t.repair_decision END",
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    # (department id, domain code) of the rows applied: which department sent data for which domain.
    feeds: set[tuple[int, str | None]] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per merge step, for `make bench`


def _default(f):
    if isinstance(f, BooleanField):
        return False
    if isinstance(f, (DateField, DecimalField)) or f.null:
        return None
    if isinstance(f, JSONField):
        return {}
    return ""


class StagingWriter:
    def __init__(self, model: type[CreditRecord], natural_key: tuple[str, ...], batch_id: int, now,
                 user_id: int | None = None, stage: str | None = None):
        """`stage`: the name of a shared staging table (create_shared_stage()) instead of a temporary one."""
        self.model = model
        self.stage = stage or "import_stage"
        self.shared = stage is not None
        self.table = model._meta.db_table
        self.nk = natural_key
        self.batch_id = batch_id
        self.user_id = user_id  # who made the change, on every version this import writes
        self.now = now
        self.pg = connection.vendor == "postgresql"
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP]
        self.columns = [f.attname for f in fields]
        self._default_values = [_default(f) for f in fields]  # what a row lacks, column by column
        self._json_positions = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
        self._hash_position = self.columns.index("content_hash")
        self.stage_columns = [*self.columns, "row_no", "entity_kind", "entity_warning"]
        self._cursor: Any = None  # the connection's cursor and its COPY, from start() to merge()
        self._copy_cm: Any = None
        self._copy: Any = None
        self._buffer: list[list] = []
        # The last row naming each credit code: the row a new entity is made from (see _add_entities).
        self._entity_rows: dict[str, int] = {}
        self.rows = 0
        self.timings: dict[str, float] = {}

    # -- loading ------------------------------------------------------------------------------

    def _stage_ddl(self, create: str) -> list[str]:
        cols = ", ".join(self.columns)
        return [
            f"{create} AS SELECT {cols} FROM {self.table} " + ("WITH NO DATA" if self.pg else "WHERE 0"),
            *(f"ALTER TABLE {self.stage} ADD COLUMN {col} {typ}" for col, typ in STAGE_EXTRA_COLUMNS),
        ]

    def start(self) -> None:
        cur = self._cursor = connection.cursor()
        if not self.shared:  # a shared stage is made by create_shared_stage(), loaded by this connection and others
            # Dropped at the end of merge(); the DROP here only matters after an import that failed part-way
            # inside a caller's transaction that went on.
            cur.execute("DROP TABLE IF EXISTS " + ("pg_temp" if self.pg else "temp") + ".import_stage")
            create = "CREATE TEMP TABLE import_stage" + (" ON COMMIT DROP" if self.pg else "")
            for sql in self._stage_ddl(create):
                cur.execute(sql)
        if self.pg:
            # Sorts and hashes over a million staged rows stay in memory.
            cur.execute("SET LOCAL work_mem = '256MB'")
            if connection.pg_version >= 140000:  # type: ignore[attr-defined]  # PostgreSQL's wrapper has it
                # A killed import's merge statement is cancelled within a second, its transaction rolled
                # back, rather than run on, holding its locks, until it next speaks to the dead client.
                cur.execute("SET LOCAL client_connection_check_interval = '1s'")
            self.start_copy(cur.cursor)

    def discard(self) -> None:
        """Drop this connection's staging table if it is still there (it outlives a rolled-back merge when
        it was loaded outside the transaction)."""
        if not self.shared:
            with connection.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS " + ("pg_temp" if self.pg else "temp") + ".import_stage")

    def create_shared_stage(self, conn) -> None:
        """Make the staging table as an unlogged table of its own name, on `conn` (a psycopg connection
        in autocommit), so that other connections can load rows into it too. merge() drops it; after a
        failure, drop_shared_stage() does."""
        with conn.cursor() as cur:
            # Never vacuumed behind the import's back: autovacuum would hold up the index build.
            for sql in self._stage_ddl(f"CREATE UNLOGGED TABLE {self.stage} "
                                       f"WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false)"):
                cur.execute(sql)

    def drop_shared_stage(self) -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '60s'")
            cur.execute(f"DROP TABLE IF EXISTS {self.stage}")

    def start_copy(self, cur) -> None:
        """Open the COPY of staged rows on `cur`, a psycopg cursor (this process's own connection, or
        another one for a process that loads part of the file)."""
        # Binary COPY: no text escaping of every cell on the way in, no parsing on the way out.
        cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped", [self.stage if self.shared else "pg_temp.import_stage"])
        types = dict(cur.fetchall())
        self._copy_cm = cur.copy(f"COPY {self.stage} ({', '.join(self.stage_columns)}) FROM STDIN (FORMAT BINARY)")
        self._copy = self._copy_cm.__enter__()
        self._copy.set_types([types[c] for c in self.stage_columns])

    def _row(self, p: Parsed) -> list:
        row = list(map(p.values.get, self.columns, self._default_values))
        for i in self._json_positions:
            if self.pg:
                row[i] = _EMPTY_JSONB if row[i] == {} else Jsonb(row[i], orjson.dumps)
            else:
                row[i] = orjson.dumps(row[i]).decode()
        row[self._hash_position] = p.content_hash
        row += (p.row, p.entity_kind, p.entity_warning)
        return row

    def add(self, p: Parsed) -> None:
        self.rows += 1
        v = p.values
        if v.get("credit_code") and v.get("subject_category") != "person":
            self._entity_rows[v["credit_code"]] = p.row
        if self.pg:
            self._copy.write_row(self._row(p))
            return
        self._buffer.append(self._row(p))
        if len(self._buffer) >= SQLITE_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            marks = ", ".join(["%s"] * len(self.stage_columns))
            self._cursor.executemany(
                f"INSERT INTO {self.stage} ({', '.join(self.stage_columns)}) VALUES ({marks})", self._buffer
            )
            self._buffer.clear()

    def abort(self, exc: BaseException) -> None:
        if self._copy_cm is not None:
            with contextlib.suppress(Exception):  # the transaction is being rolled back anyway
                self._copy_cm.__exit__(type(exc), exc, exc.__traceback__)
            self._copy_cm = None

    def absorb(self, rows: int, entity_rows: dict[str, int]) -> None:
        """Count in the rows another process staged from a later part of the file."""
        self.rows += rows
        self._entity_rows.update(entity_rows)  # its rows come later: its last row per credit code wins

    def finish_loading(self) -> None:
        if self.pg:
            self._copy_cm.__exit__(None, None, None)
            self._copy_cm = None
        else:
            self._flush()

    # -- merging ------------------------------------------------------------------------------

    def _exec(self, step: str, sql: str, params=None) -> int:
        started = time.perf_counter()
        self._cursor.execute(sql, params)
        self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started
        return max(self._cursor.rowcount, 0)

    def merge(self) -> Counts:
        counts = Counts(timings=self.timings)
        nk_cols = ", ".join(self.nk)
        counts.duplicate = self._dedupe(nk_cols)
        if self.pg:
            # Statistics on the key columns only (and row_no, which new entities are found by): what the
            # planner needs for the joins, at a fraction of the cost.
            self._exec("analyze", f"ANALYZE {self.stage} ({nk_cols}, row_no)")
        self._exec(
            "match",
            f"UPDATE {self.stage} SET record_id = t.id, old_hash = t.content_hash, old_version = t.version "
            f"FROM {self.table} t WHERE {' AND '.join(f't.{c} = {self.stage}.{c}' for c in self.nk)}",
        )
        if self._cursor.rowcount == 0:  # no staged key is known yet: every row is new, nothing to count
            total = self.rows - counts.duplicate
            created, unchanged = total, 0
        else:
            self._exec(
                "count",
                "SELECT COALESCE(SUM(CASE WHEN record_id IS NULL THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN old_hash = content_hash THEN 1 ELSE 0 END), 0), COUNT(*) FROM {self.stage}",
            )
            created, unchanged, total = self._cursor.fetchone()
        counts.created, counts.unchanged, counts.updated = created, unchanged, total - created - unchanged
        now = self._param(self.now)
        kind = self.model.KIND.value
        version_cols = "kind, record_id, subject_key, version, change, batch_id, user_id, reason, created_at"
        if counts.updated:
            changed = "s.record_id IS NOT NULL AND s.old_hash <> s.content_hash"
            # The version being superseded keeps the content it had (see RecordVersion).
            self._exec(
                "keep_previous",
                f"UPDATE records_recordversion AS v SET data = {self._row_json('t')} FROM {self.stage} s "
                f"JOIN {self.table} t ON t.id = s.record_id WHERE {changed} AND v.subject_key = s.subject_key "
                f"AND v.kind = %s AND v.record_id = s.record_id AND v.version = s.old_version",
                [kind],
            )
            # A version 1 never stored (RecordVersion: an unchanged import's first version) is stored now, with
            # the content, batch, time and user it had; before the update below gives the record a new batch.
            self._exec(
                "keep_previous",
                f"INSERT INTO records_recordversion ({version_cols}, data) SELECT %s, t.id, t.subject_key, 1, "
                f"'created', t.batch_id, b.user_id, '', t.created_at, {self._row_json('t')} FROM {self.stage} s "
                f"JOIN {self.table} t ON t.id = s.record_id LEFT JOIN records_importbatch b ON b.id = t.batch_id "
                f"WHERE {changed} AND s.old_version = 1 "
                "ON CONFLICT (subject_key, kind, record_id, version) DO NOTHING",
                [kind],
            )
            sets = ", ".join(f"{c} = {LIFECYCLE_SQL.get(c, 's.' + c)}" for c in self.columns if c not in self.nk)
            self._exec(
                "update",
                f"UPDATE {self.table} AS t SET {sets}, version = t.version + 1, batch_id = %s, updated_at = %s "
                f"FROM {self.stage} s WHERE t.id = s.record_id AND s.old_hash <> s.content_hash",
                [self.batch_id, now],
            )
            self._exec(
                "update_versions",
                f"INSERT INTO records_recordversion ({version_cols}) SELECT %s, s.record_id, s.subject_key, "
                f"s.old_version + 1, 'updated', %s, %s, '', %s FROM {self.stage} s WHERE {changed}",
                [kind, self.batch_id, self.user_id, now],
            )
        if counts.created:
            cols = ", ".join(self.columns)
            # Sorted by natural key, the unique index is filled in order rather than at random. No version rows:
            # a new record's version 1 is the record row itself until it changes (RecordVersion).
            insert = (f"INSERT INTO {self.table} ({cols}, version, batch_id, created_at, updated_at) "
                      f"SELECT {cols}, 1, %s, %s, %s FROM {self.stage} WHERE record_id IS NULL ORDER BY {nk_cols}")
            # When most staged rows are new, reading them in key order through the staging index beats sorting
            # them (a million wide rows sort on disk: 2.5 s more); a few new rows sort cheaper.
            by_index = self.pg and counts.created * 2 > total
            if by_index:
                self._cursor.execute("SET LOCAL enable_sort = off")
            self._exec("insert", insert, [self.batch_id, now, now])
            if by_index:
                self._cursor.execute("RESET enable_sort")
        if counts.created or counts.updated:
            # What verification's cached answers are keyed by: one statement for the batch's distinct subjects.
            started = time.perf_counter()
            versions.bump_staged(self._cursor, self.stage, "record_id IS NULL OR old_hash <> content_hash")
            self.timings["versions"] = self.timings.get("versions", 0.0) + time.perf_counter() - started
        self._add_entities(now)
        self._exec("feeds", f"SELECT DISTINCT department_id, domain_id FROM {self.stage}")
        counts.feeds = set(self._cursor.fetchall())
        pause_at("merge")  # everything applied, nothing committed yet
        self._cursor.execute(f"DROP TABLE {self.stage}")
        return counts

    def _row_json(self, alias: str) -> str:
        """SQL for one record row as a JSON object, in each database's dialect."""
        if self.pg:
            return f"to_jsonb({alias}) - 'id' - 'batch_id'"
        json_cols = {self.columns[i] for i in self._json_positions}
        cols = [*self.columns, "version", "created_at", "updated_at"]
        half = len(cols) // 2  # SQLite caps a function at 127 arguments: two objects, merged
        return "json_patch(" + ", ".join(
            "json_object(" + ", ".join(f"'{c}', " + (f"json({alias}.{c})" if c in json_cols else f"{alias}.{c}")
                                       for c in part) + ")"
            for part in (cols[:half], cols[half:])
        ) + ")"

    def _dedupe(self, nk_cols: str) -> int:
        """Index the staged rows by natural key; where a key repeats, the last row wins.

        Files rarely repeat a key, so first try a unique index: when it builds, there is nothing to drop.
        """
        try:
            with transaction.atomic():
                self._exec("index", f"CREATE UNIQUE INDEX {self.stage}_nk ON {self.stage} ({nk_cols})")
            return 0
        except IntegrityError:
            pass
        self._exec("index", f"CREATE INDEX {self.stage}_nk ON {self.stage} ({nk_cols})")
        return self._exec(
            "dedupe",
            f"DELETE FROM {self.stage} WHERE row_no IN (SELECT row_no FROM (SELECT row_no, "
            f"ROW_NUMBER() OVER (PARTITION BY {nk_cols} ORDER BY row_no DESC) AS rn FROM {self.stage}) d WHERE d.rn > 1)",
        )

    def _add_entities(self, now) -> None:
        """Entities named in the file that the register lacks are added, marked as not yet checked.

        Each is made from the last row that names it, which add() noted while the rows streamed in
        (that row is never one dedupe drops: no later row shares its key).
        """
        started = time.perf_counter()
        cur = self._cursor
        cur.execute("CREATE TEMP TABLE import_entity_rows (row_no integer)" + (" ON COMMIT DROP" if self.pg else ""))
        row_nos = self._entity_rows.values()
        if self.pg:
            with cur.cursor.copy("COPY import_entity_rows (row_no) FROM STDIN") as copy:
                for row_no in row_nos:
                    copy.write_row((row_no,))
            cur.execute("ANALYZE import_entity_rows")  # unanalysed, it had the planner sort a million staged rows
        else:
            cur.executemany("INSERT INTO import_entity_rows (row_no) VALUES (%s)", [(n,) for n in row_nos])
        self._entity_rows.clear()
        self.timings["entities"] = time.perf_counter() - started
        self._exec(
            "entities",
            "INSERT INTO entities_entity (credit_code, name, kind, region_code, legal_rep, legal_rep_id_encrypted, "
            "legal_rep_id_masked, status, checksum_warning, from_register, created_at, updated_at) "
            "SELECT s.credit_code, s.subject_name, s.entity_kind, SUBSTR(s.credit_code, 3, 6), s.legal_rep, "
            "s.legal_rep_id_encrypted, s.legal_rep_id_masked, 'active', s.entity_warning, %s, %s, %s "
            f"FROM {self.stage} s JOIN import_entity_rows r ON r.row_no = s.row_no "
            "WHERE NOT EXISTS (SELECT 1 FROM entities_entity e WHERE e.credit_code = s.credit_code) "
            "ORDER BY s.credit_code "  # the register's index filled in order: less to write
            "ON CONFLICT (credit_code) DO NOTHING",
            [False, now, now],
        )
        cur.execute("DROP TABLE import_entity_rows")

    def _param(self, value):
        return value if self.pg else connection.ops.adapt_datetimefield_value(value)
