"""The folder where gunicorn's worker processes share their metrics, and the gunicorn hooks that keep it.

prometheus-client's multiprocess mode (see cleanrecord.lib.metrics) needs PROMETHEUS_MULTIPROC_DIR set
before the library is first imported in a worker, and the folder emptied before a server starts: files
left by an earlier run would be added to this one's. The gunicorn master does both in `on_starting`,
once, before it forks a worker; a worker that exits keeps its file, so the counts it made stay in the
sum and counters never go backwards while the server runs. gunicorn.conf.py (read by gunicorn from the
working directory, or given with `-c`) imports these hooks.

This module must not import prometheus_client at module level: the master imports it before the
variable is set, and workers forked from it would inherit a library that already chose single-process mode.
"""

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from cleanrecord import conf

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def configured_dir(environ: MutableMapping[str, str] = os.environ) -> Path:
    """CLEANRECORD_METRICS_DIR as the environment sets it (read without Django: the gunicorn master has none)."""
    base_dir = Path(__file__).resolve().parent.parent.parent
    return Path(conf.read_environment(environ, base_dir)["METRICS_DIR"])


def prepare(folder: Path, environ: MutableMapping[str, str] = os.environ) -> Path:
    """Make `folder` (0700), delete the files an earlier server left there, and point prometheus-client at it."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    environ[VARIABLE] = str(folder)
    return folder


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker: a fresh folder for this server's workers."""
    prepare(configured_dir())


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker has exited. Its counts stay; only live gauges (none yet) drop its file."""
    # Imported here, after on_starting has set the variable (see the module's docstring).
    from prometheus_client import multiprocess

    if os.environ.get(VARIABLE):
        multiprocess.mark_process_dead(worker.pid)
