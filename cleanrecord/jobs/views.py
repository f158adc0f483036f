"""The office's page of background work: each scheduled job with its schedule, last run, outcome and next
run; the workers' heartbeats; the tasks waiting; and the tasks that failed (or wait to be tried again)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cleanrecord.lib.roles import is_office

from . import heartbeat
from .models import JobRun
from .schedule import JOBS, Job, run_now

FAILED_SHOWN = 30


@dataclass
class JobRow:
    job: Job
    last: JobRun | None
    next_at: Any


def _office(request: HttpRequest) -> None:
    if not is_office(request.user):
        raise PermissionDenied(_("仅限信用办工作人员访问"))


def _error_line(row: DBTaskResult) -> str:
    lines = row.traceback.strip().splitlines()
    return lines[-1] if lines else row.exception_class_path


@login_required
def jobs_page(request: HttpRequest) -> HttpResponse:
    _office(request)
    now = timezone.now()
    latest: dict[str, JobRun] = {}
    for run in JobRun.objects.filter(job__in=list(JOBS)).order_by("job", "-queued_at", "-id"):
        latest.setdefault(run.job, run)
    jobs = [JobRow(job=job, last=latest.get(name), next_at=job.next_slot(now)) for name, job in sorted(JOBS.items())]
    problems = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.FAILED) | Q(status=TaskResultStatus.READY) & ~Q(exception_class_path=""))
    failed = [{"row": row, "name": row.task_name, "attempts": len(row.worker_ids), "error": _error_line(row),
               "retrying": row.status == TaskResultStatus.READY}
              for row in problems.order_by("-enqueued_at")[:FAILED_SHOWN]]
    stale = now - heartbeat.stale_after()
    workers = [{"beat": b, "alive": b.seen_at >= stale} for b in heartbeat.WorkerHeartbeat.objects.all()[:20]]
    return render(request, "jobs/jobs.html", {
        "jobs": jobs, "failed": failed, "workers": workers,
        "waiting": DBTaskResult.objects.ready().count(),
        "running": DBTaskResult.objects.running().count(),
        "recent": JobRun.objects.all()[:20],
    })


@login_required
@require_POST
def run_job_now(request: HttpRequest, name: str) -> HttpResponse:
    _office(request)
    job = JOBS.get(name)
    if job is None:
        raise Http404(_("没有这个定时任务"))
    run_now(job)
    messages.success(request, _("已将“%(label)s”加入队列，稍后刷新本页查看结果") % {"label": job.label})
    return redirect("office-jobs")
