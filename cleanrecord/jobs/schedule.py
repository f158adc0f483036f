"""The platform's own schedule: jobs that run daily at a local time, or every so many minutes.

An app registers its job in one line (usually in its AppConfig.ready)::

    schedule.register("import_sweep", _("清理中断的导入"), "03:15", "sweep_imports")

A job is a management command, so cron can run the same thing (README, "Scheduled jobs"). The worker
(`manage.py worker`) looks every few seconds for the latest slot of each job; the first worker to make the
slot's JobRun row queues it as a task, any other finds the row taken and does nothing. A slot missed while
no worker ran (a restart at night) is still run when a worker comes back within CATCH_UP; an older one is
not. CLEANRECORD_SCHEDULE moves a job (`job=HH:MM`, `job=every:MINUTES`) or turns it off (`job=off`).
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from cleanrecord import conf

from .models import JobRun

log = logging.getLogger(__name__)

CATCH_UP = dt.timedelta(hours=12)

Arguments = Sequence[str] | Callable[[], Sequence[str]]


@dataclass(frozen=True)
class Job:
    name: str
    label: str | Promise  # what the office's page calls it (Chinese)
    when: str  # "HH:MM" daily (local time), "every:MINUTES", or "off"
    command: str  # the management command it runs
    arguments: Arguments = ()  # its arguments, or a function giving them when it runs

    @property
    def effective_when(self) -> str:
        """`when`, unless CLEANRECORD_SCHEDULE says otherwise."""
        return str(conf.get("SCHEDULE").get(self.name, self.when))

    def argv(self) -> list[str]:
        return list(self.arguments() if callable(self.arguments) else self.arguments)

    def latest_slot(self, now: dt.datetime) -> dt.datetime | None:
        """The most recent moment at or before `now` the job was due; None when it is off."""
        when = self.effective_when
        if when == "off":
            return None
        if when.startswith("every:"):
            step = int(when[6:]) * 60
            return dt.datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=dt.UTC)
        hours, minutes = (int(x) for x in when.split(":"))
        local = timezone.localtime(now)
        today = timezone.make_aware(dt.datetime.combine(local.date(), dt.time(hours, minutes)))
        return today if today <= now else today - dt.timedelta(days=1)

    def next_slot(self, now: dt.datetime) -> dt.datetime | None:
        latest = self.latest_slot(now)
        if latest is None:
            return None
        when = self.effective_when
        step = dt.timedelta(minutes=int(when[6:])) if when.startswith("every:") else dt.timedelta(days=1)
        return latest + step

    def describe(self) -> str:
        when = self.effective_when
        if when == "off":
            return _("已停用")
        if when.startswith("every:"):
            return _("每 %(minutes)s 分钟") % {"minutes": when[6:]}
        return _("每天 %(time)s") % {"time": when}


JOBS: dict[str, Job] = {}


def register(name: str, label: str | Promise, when: str, command: str, arguments: Arguments = ()) -> Job:
    """Add a job to the schedule (idempotent: an app's ready() may run twice in tests)."""
    if when != "off" and not conf.SCHEDULE.parse(f"{name}={when}"):
        raise ValueError(f"bad schedule for {name}: {when!r}")
    job = Job(name=name, label=label, when=when, command=command, arguments=arguments)
    JOBS[name] = job
    return job


def slot_key(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def queue_due(now: dt.datetime | None = None) -> list[JobRun]:
    """Queue every job whose latest slot has no run yet; what this process queued."""
    now = now or timezone.now()
    queued = []
    for job in list(JOBS.values()):
        latest = job.latest_slot(now)
        if latest is None or now - latest > CATCH_UP:
            continue
        key = slot_key(latest)
        if JobRun.objects.filter(job=job.name, slot=key).exists():
            continue
        run = _queue(job, key, latest, manual=False)
        if run is not None:
            queued.append(run)
    return queued


def run_now(job: Job) -> JobRun:
    """Queue `job` at once, outside its schedule (the office's 立即运行)."""
    now = timezone.now()
    run = _queue(job, f"manual-{now:%Y%m%dT%H%M%S.%f}", now, manual=True)
    assert run is not None  # a manual slot is unique to the microsecond
    return run


def _queue(job: Job, key: str, moment: dt.datetime, *, manual: bool) -> JobRun | None:
    # Function-level import: tasks imports this module (it runs the jobs registered here).
    from .tasks import run_job

    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job.name, slot=key, scheduled_for=moment, manual=manual)
    except IntegrityError:
        log.info("job %s slot %s already queued by another worker", job.name, key)
        return None
    log.info("job %s queued for slot %s", job.name, key)
    result = run_job.enqueue(run.pk)
    JobRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run
