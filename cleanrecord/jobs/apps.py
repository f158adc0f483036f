from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cleanrecord.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Connected once the app registry is ready: the receiver reads the task rows (a model).
        from django_tasks.signals import task_finished

        from .retry import after_task

        task_finished.connect(after_task, dispatch_uid="jobs.after_task")
