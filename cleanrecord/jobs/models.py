"""What the scheduled jobs did, and which workers are alive.

A scheduled job runs once per slot: the row for (job, slot) is made before its task is queued, and the
pair is unique, so of several workers that find the same slot due only one queues it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("成功")
        FAILED = "failed", _("失败")

    job = models.CharField(_("任务"), max_length=64)
    slot = models.CharField(_("时段"), max_length=32, help_text=_("计划运行的时刻（本地时间），同一任务同一时段只运行一次"))
    scheduled_for = models.DateTimeField(_("计划时间"))
    manual = models.BooleanField(_("手动运行"), default=False)
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    output = models.TextField(_("输出"), blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("定时任务运行记录")
        ordering = ["-scheduled_for", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobrun_once_per_slot")]
        indexes = [models.Index(fields=["job", "-scheduled_for"], name="jobrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}"


class WorkerHeartbeat(models.Model):
    """One row per worker process, touched every few seconds while it runs."""

    worker_id = models.CharField(_("工作进程"), max_length=64, unique=True)
    host = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    seen_at = models.DateTimeField(_("最近心跳"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作进程心跳")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
