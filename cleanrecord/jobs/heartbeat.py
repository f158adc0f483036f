"""Workers say they are alive: a row per worker process, touched every few seconds; readiness reads it."""

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from cleanrecord import conf

from .models import WorkerHeartbeat
from .schedule import queue_due

log = logging.getLogger(__name__)

BEAT_SECONDS = 10.0


class WorkerMissing(RuntimeError):
    pass


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now, pid=os.getpid())
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(),
                                       started_at=now, seen_at=now)


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def freshest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=conf.get("WORKER_STALE_SECONDS"))


def ensure_fresh() -> None:
    """Raise unless a worker wrote its heartbeat within CLEANRECORD_WORKER_STALE_SECONDS (readiness check)."""
    if "ImmediateBackend" in settings.TASKS["default"]["BACKEND"]:
        return  # tasks run in the process that enqueues them: no worker to wait for
    latest = freshest()
    if latest is None:
        raise WorkerMissing("no worker has written a heartbeat")
    age = timezone.now() - latest.seen_at
    if age > stale_after():
        raise WorkerMissing(f"the freshest worker heartbeat is {age.total_seconds():.0f} s old")


class Beat(threading.Thread):
    """Beside the task loop: the heartbeat, and the scheduled jobs queued when due."""

    def __init__(self, worker_id: str, *, schedule: bool, seconds: float = BEAT_SECONDS) -> None:
        super().__init__(name="cleanrecord-beat", daemon=True)
        self.worker_id, self.schedule, self.seconds = worker_id, schedule, seconds
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            beat(self.worker_id)
            if self.schedule:
                queue_due()
        except Exception:  # a locked or briefly unreachable database: try again at the next beat
            log.exception("worker %s: heartbeat or schedule failed", self.worker_id)
        finally:
            close_old_connections()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.tick()
            self.stopped.wait(self.seconds)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
