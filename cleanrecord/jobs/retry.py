"""Every finished task passes here: a failed one is queued again (bounded, with a growing wait) or, after its
last attempt, logged as failed; the office sees both on /office/jobs/. Nothing is dropped silently."""

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cleanrecord import conf

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait before the next attempt, after `attempts` failed ones."""
    return dt.timedelta(seconds=conf.get("TASK_RETRY_SECONDS") * 2 ** max(attempts - 1, 0))


def after_task(sender: Any = None, *, task_result: Any, **kwargs: Any) -> None:
    """Receiver of django-tasks' task_finished. Never raises: the worker sends the signal outside its guard."""
    try:
        if task_result.status != TaskResultStatus.FAILED:
            return
        error = task_result.errors[-1] if task_result.errors else None
        reason = error.traceback.strip().splitlines()[-1] if error and error.traceback else "?"
        attempts, most = task_result.attempts, conf.get("TASK_MAX_ATTEMPTS")
        name = task_result.task.module_path
        db_result = getattr(task_result, "db_result", None)
        if db_result is not None and attempts < most:
            wait = retry_delay(attempts)
            again = DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
                status=TaskResultStatus.READY, run_after=timezone.now() + wait, finished_at=None)
            if again:
                log.warning("task %s (%s) failed on attempt %d of %d, tried again in %d s: %s",
                            task_result.id, name, attempts, most, wait.total_seconds(), reason)
                return
        log.error("task %s (%s) failed after %d attempt(s): %s\n%s", task_result.id, name, attempts, reason,
                  error.traceback if error else "")
    except Exception:
        log.exception("could not handle the end of task %s", getattr(task_result, "id", "?"))
