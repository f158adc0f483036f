"""Imports sent on the web page or through the API, run by the worker (cleanrecord/jobs)."""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from .importing import locks
from .models import ImportBatch, ImportProfile
from .services import _fail, import_file, temp_dir

log = logging.getLogger(__name__)

# What the batch says when its task could not import it at all (the worker's log has why).
NOT_IMPORTED = gettext_noop("导入任务未能执行，未写入任何数据；请重新上传文件，如仍失败请联系信用办。")


@task()
def import_queued(batch_id: int, file_name: str, mapping: dict | None, dry_run: bool, profile_id: int | None) -> str:
    """Import a queued batch's file, then delete the file. Never tried twice: a file that failed part-way
    applied nothing and the batch says so; the clerk sends it again."""
    batch = ImportBatch.objects.select_related("department", "user").get(pk=batch_id)
    path = temp_dir("queued") / file_name
    try:
        if batch.status != ImportBatch.Status.QUEUED:
            return batch.status  # already taken (a task run twice): its first run decides
        if not path.is_file():
            _fail(batch, _(NOT_IMPORTED))
            log.error("import batch %s: its queued file %s is gone", batch_id, file_name)
            return batch.status
        profile = ImportProfile.objects.filter(pk=profile_id).first() if profile_id else None
        with locks.held(path):
            result = import_file(path=path, kind=batch.kind, department=batch.department, mapping=mapping,
                                 dry_run=dry_run, user=batch.user, channel=batch.channel, file_name=batch.file_name,
                                 profile=profile, batch=batch)
        return result.batch.status
    except Exception:
        log.exception("import batch %s: the import task failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id, status__in=[ImportBatch.Status.QUEUED]).update(
            status=ImportBatch.Status.FAILED, message=_(NOT_IMPORTED))
        raise
    finally:
        path.unlink(missing_ok=True)
