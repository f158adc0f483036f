"""A real PostgreSQL streaming replica of the local server, for CI, the replica tests and `make bench`.

    python -m cleanrecord.testing.replica start    # make it (pg_basebackup) unless it already streams; print its URL
    python -m cleanrecord.testing.replica status
    python -m cleanrecord.testing.replica stop

The replica is a second cluster of the machine's PostgreSQL on another port (5433), in its own data directory
under the postgres user's home, made with `pg_basebackup -R` from the primary (127.0.0.1:5432) and streaming from
it; every database of the primary, the tests' databases included, appears on it. Only for a machine whose
PostgreSQL trusts 127.0.0.1 (the development and CI machines): a production replica is set up by the operator
(docs/deploy.md). Run as root (the server's files belong to the postgres user) or as the postgres user.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PRIMARY_PORT = 5432
PORT = 5433
HOST = "127.0.0.1"
# Settings a hot standby must hold at least as high as its primary's.
AT_LEAST_PRIMARY = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
                    "max_locks_per_transaction")


class ReplicaUnavailable(RuntimeError):
    """This machine cannot make the replica (no local PostgreSQL, not root, no pg_basebackup)."""


def url(database: str = "test", port: int = PORT) -> str:
    return f"postgresql://postgres@{HOST}:{port}/{database}"


def _bin_dir() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not versions:
        raise ReplicaUnavailable("PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin)")
    return versions[-1].parent


def data_dir(port: int = PORT) -> Path:
    return Path("/var/lib/postgresql") / f"cleanrecord-replica-{port}"


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def _psql(port: int, sql: str, database: str = "postgres") -> str | None:
    """One value from `sql` on the server at `port`, or None when it does not answer."""
    done = subprocess.run(["psql", "-h", HOST, "-p", str(port), "-U", "postgres", "-d", database, "-AXtqc", sql],
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else None


def streaming(port: int = PORT) -> bool:
    """The server at `port` is a hot standby whose WAL receiver streams from the primary."""
    return _psql(port, "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver "
                       "WHERE status = 'streaming')") == "t"


def _allow_replication(primary_port: int) -> None:
    """Let the primary accept replication connections from 127.0.0.1 as it accepts the others (trust), once."""
    hba = _psql(primary_port, "SHOW hba_file")
    if not hba:
        raise ReplicaUnavailable(f"cannot read the primary's hba_file on port {primary_port}")
    rules = _psql(primary_port, "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) "
                                "AND address = '127.0.0.1'")
    if rules and rules != "0":
        return
    with open(hba, "a") as file:
        file.write("\n# cleanrecord's local replica (cleanrecord/testing/replica.py)\n"
                   "host replication all 127.0.0.1/32 trust\n")
    _psql(primary_port, "SELECT pg_reload_conf()")
    time.sleep(0.5)


def stop(port: int = PORT) -> None:
    folder = data_dir(port)
    if (folder / "postmaster.pid").exists():
        _as_postgres([str(_bin_dir() / "pg_ctl"), "-D", str(folder), "-m", "fast", "-w", "stop"])


def start(port: int = PORT, primary_port: int = PRIMARY_PORT, timeout: float = 120) -> str:
    """Make sure a streaming replica of the primary answers on `port`; return its URL (database `test`)."""
    if streaming(port):
        return url(port=port)
    if _psql(primary_port, "SELECT 1") != "1":
        raise ReplicaUnavailable(f"no PostgreSQL primary answers on {HOST}:{primary_port}")
    if os.geteuid() != 0 and shutil.which("id") and subprocess.run(["id", "-un"], capture_output=True,
                                                                    text=True).stdout.strip() != "postgres":
        raise ReplicaUnavailable("making the replica needs root or the postgres user")
    bin_dir, folder = _bin_dir(), data_dir(port)
    _allow_replication(primary_port)
    stop(port)
    if folder.exists():
        shutil.rmtree(folder)
    done = _as_postgres([str(bin_dir / "pg_basebackup"), "-h", HOST, "-p", str(primary_port), "-U", "postgres",
                         "-D", str(folder), "-R", "-X", "stream", "-c", "fast"], timeout=600)
    if done.returncode:
        raise ReplicaUnavailable(f"pg_basebackup failed: {done.stderr.strip()}")
    at_least = {name: _psql(primary_port, f"SHOW {name}") for name in AT_LEAST_PRIMARY}
    config = [f"port = {port}", f"listen_addresses = '{HOST}'", f"unix_socket_directories = '{folder}'",
              "hot_standby = on", "hot_standby_feedback = on", f"hba_file = '{folder}/pg_hba.conf'",
              "fsync = off", "full_page_writes = off",  # a scratch copy: a crash means making it again
              *(f"{name} = {value}" for name, value in at_least.items() if value)]
    (folder / "postgresql.conf").write_text("\n".join(config) + "\n")
    (folder / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    shutil.chown(folder / "postgresql.conf", "postgres", "postgres")
    shutil.chown(folder / "pg_hba.conf", "postgres", "postgres")
    done = _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(folder), "-l", str(folder / "server.log"), "-w",
                         "-t", "60", "start"])
    if done.returncode:
        log = (folder / "server.log").read_text()[-2000:] if (folder / "server.log").exists() else ""
        raise ReplicaUnavailable(f"the replica did not start: {done.stderr.strip()} {log}")
    deadline = time.monotonic() + timeout
    while not streaming(port):
        if time.monotonic() > deadline:
            raise ReplicaUnavailable(f"the replica on port {port} did not start streaming within {timeout:.0f} s")
        time.sleep(0.5)
    return url(port=port)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cleanrecord.testing.replica")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--primary-port", type=int, default=PRIMARY_PORT)
    args = parser.parse_args()
    if args.action == "stop":
        stop(args.port)
        return 0
    if args.action == "status":
        ok = streaming(args.port)
        print(f"replica on {HOST}:{args.port}: {'streaming' if ok else 'not streaming'}")
        return 0 if ok else 1
    try:
        print(start(args.port, args.primary_port))
    except ReplicaUnavailable as exc:
        print(f"replica: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
