"""The platform's schedule: when each job is due, once per slot however many workers look, what it printed
and how it ended, retried when it fails and reported on the office's page when it keeps failing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cleanrecord.jobs import heartbeat, schedule
from cleanrecord.jobs.models import JobRun, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def only():
    """The schedule holds only the jobs the test registers."""
    saved = dict(schedule.JOBS)
    schedule.JOBS.clear()
    yield schedule.register
    schedule.JOBS.clear()
    schedule.JOBS.update(saved)


def test_the_nightly_jobs_are_registered_by_their_apps():
    assert {"quality_report", "objection_deadlines", "audit_checkpoint", "audit_check", "import_sweep"} <= set(
        schedule.JOBS)
    assert schedule.JOBS["audit_check"].command == "verify_audit"
    assert schedule.JOBS["quality_report"].argv()[-1].endswith("quality-report.json")


def test_a_daily_job_is_due_at_its_time_and_next_tomorrow(only):
    job = only("sweep", "清理", "03:15", "sweep_imports")
    today = timezone.localdate()
    assert job.latest_slot(local(today, 3, 14)) == local(today - dt.timedelta(days=1), 3, 15)
    assert job.latest_slot(local(today, 3, 15)) == local(today, 3, 15)
    assert job.next_slot(local(today, 10)) == local(today + dt.timedelta(days=1), 3, 15)
    assert job.describe() == "每天 03:15"


def test_the_environment_moves_a_job_or_turns_it_off(only, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "SCHEDULE": {"sweep": "every:30", "audit": "off"}}
    sweep = only("sweep", "清理", "03:15", "sweep_imports")
    audit = only("audit", "核验", "02:30", "verify_audit")
    now = local(timezone.localdate(), 10, 47)
    assert sweep.latest_slot(now) == local(timezone.localdate(), 10, 30)
    assert sweep.describe() == "每 30 分钟"
    assert audit.latest_slot(now) is None and audit.next_slot(now) is None
    assert schedule.queue_due(now)[0].job == "sweep"
    assert JobRun.objects.get().slot.endswith("T10:30")


def test_each_slot_is_queued_once_however_many_workers_look(only):
    only("sweep", "清理", "03:15", "sweep_imports")
    now = local(timezone.localdate(), 3, 16)
    first = schedule.queue_due(now)
    assert [r.job for r in first] == ["sweep"]
    assert schedule.queue_due(now) == []  # a second worker, or the next beat
    assert schedule.queue_due(now + dt.timedelta(hours=2)) == []
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.DONE and run.attempts == 1 and "清理完成" in run.output
    # The row's uniqueness is what holds when two workers race past the check above.
    assert schedule._queue(schedule.JOBS["sweep"], run.slot, run.scheduled_for, manual=False) is None
    assert JobRun.objects.count() == 1


def test_a_slot_missed_long_ago_is_not_run_late(only):
    only("sweep", "清理", "03:15", "sweep_imports")
    assert schedule.queue_due(local(timezone.localdate(), 16)) == []  # 12 h 45 min late
    assert schedule.queue_due(local(timezone.localdate(), 15)) != []  # 11 h 45 min late: still run


def test_a_failing_job_is_recorded_with_its_error(only):
    only("quality", "质量", "01:30", "quality_report", ["--department", "不存在的部门"])
    schedule.queue_due(local(timezone.localdate(), 2))
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and "未找到部门：不存在的部门" in run.error


def test_a_command_exiting_non_zero_is_a_failure(only, tmp_path):
    unreadable = tmp_path / "bad.csv"
    unreadable.write_text("a,b\n1,2\n", encoding="utf-8")
    only("load", "导入", "02:30", "import_records", [str(unreadable), "--kind", "penalty", "--dry-run"])
    schedule.queue_due(local(timezone.localdate(), 3))
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and "import_records 以状态 2 退出" in run.error
    assert run.output  # what the command printed is kept


# Transactional: the worker closes a connection that is inside a transaction (PostgreSQL), as a worker should.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_the_worker_retries_a_failing_job_then_reports_it_on_the_office_page(only, settings, client, alice, caplog):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "TASK_RETRY_SECONDS": 0, "TASK_MAX_ATTEMPTS": 3}
    only("quality", "数据质量", "01:30", "quality_report", ["--department", "不存在的部门"])
    only("sweep", "清理导入", "03:15", "sweep_imports")
    schedule.queue_due(local(timezone.localdate(), 4))
    assert set(JobRun.objects.values_list("status", flat=True)) == {JobRun.Status.QUEUED}
    assert DBTaskResult.objects.ready().count() == 2

    call_command("worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    sweep, quality = JobRun.objects.get(job="sweep"), JobRun.objects.get(job="quality")
    assert sweep.status == JobRun.Status.DONE and sweep.attempts == 1
    assert quality.status == JobRun.Status.FAILED and quality.attempts == 3
    failed = DBTaskResult.objects.get(status="FAILED")
    assert len(failed.worker_ids) == 3
    assert "failed on attempt 1 of 3" in caplog.text and "failed after 3 attempt(s)" in caplog.text
    assert not WorkerHeartbeat.objects.exists()  # a worker that stopped takes its heartbeat with it

    client.force_login(alice)
    page = client.get("/office/jobs/").content.decode()
    assert "数据质量" in page and "失败：JobFailed" not in page
    assert "CommandError: 未找到部门：不存在的部门" in page  # the failed task, with its error
    assert "每天 01:30" in page and "尚未运行" not in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_a_failure_waiting_for_its_next_attempt_is_shown_as_such(only, settings, client, alice):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "TASK_RETRY_SECONDS": 3600, "TASK_MAX_ATTEMPTS": 2}
    only("quality", "数据质量", "01:30", "quality_report", ["--department", "不存在的部门"])
    schedule.queue_due(local(timezone.localdate(), 4))
    call_command("worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    row = DBTaskResult.objects.get()
    assert row.status == "READY" and row.run_after > timezone.now() + dt.timedelta(minutes=59)
    client.force_login(alice)
    assert "等待重试" in client.get("/office/jobs/").content.decode()


def test_the_office_runs_a_job_now_and_sees_its_outcome(only, client, alice):
    only("sweep", "清理导入", "03:15", "sweep_imports")
    client.force_login(alice)
    page = client.get("/office/jobs/").content.decode()
    assert "尚未运行" in page and "没有运行中的工作进程" in page
    response = client.post("/office/jobs/sweep/run", follow=True)
    assert "已将“清理导入”加入队列" in response.content.decode()
    run = JobRun.objects.get()
    assert run.manual and run.status == JobRun.Status.DONE
    assert client.post("/office/jobs/nosuchjob/run").status_code == 404


def test_readiness_needs_a_fresh_worker_heartbeat_when_tasks_are_queued(client, database_tasks, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "WORKER_STALE_SECONDS": 60}
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["worker"]
    heartbeat.beat("w1")
    assert client.get("/readyz").status_code == 200
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=61))
    assert client.get("/readyz").json()["failing"] == ["worker"]
