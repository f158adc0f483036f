"""The task that runs one scheduled job: its management command, with what it printed kept on the run."""

import io
import logging

from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import JobRun
from .schedule import JOBS

log = logging.getLogger(__name__)

OUTPUT_CHARS = 4000  # the end of what a job printed, kept on its run


class JobFailed(RuntimeError):
    pass


@task()
def run_job(run_id: int) -> str:
    run = JobRun.objects.get(pk=run_id)
    job = JOBS.get(run.job)
    JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.RUNNING, started_at=timezone.now(),
                                            attempts=F("attempts") + 1, error="")
    output = io.StringIO()
    try:
        if job is None:
            raise JobFailed(_("未登记的定时任务：%(job)s") % {"job": run.job})
        try:
            call_command(job.command, *job.argv(), stdout=output, stderr=output)
        except SystemExit as stop:  # the commands' way of saying "failed" to cron: exit status 1
            if stop.code not in (0, None):
                raise JobFailed(_("%(command)s 以状态 %(code)s 退出") % {"command": job.command, "code": stop.code}) from None
    except Exception as error:
        JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.FAILED, finished_at=timezone.now(),
                                                output=output.getvalue()[-OUTPUT_CHARS:],
                                                error=f"{type(error).__name__}: {error}"[:2000])
        log.error("scheduled job %s (run %s) failed: %s", run.job, run_id, error)
        raise
    JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.DONE, finished_at=timezone.now(),
                                            output=output.getvalue()[-OUTPUT_CHARS:])
    return "done"
