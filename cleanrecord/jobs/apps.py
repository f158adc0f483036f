from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "cleanrecord.jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Connected once the app registry is ready: the receiver reads the task rows (a model).
        from django_tasks.signals import task_finished

        from .retry import after_task

        task_finished.connect(after_task, dispatch_uid="jobs.after_task")
