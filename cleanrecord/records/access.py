"""Who may see and import which batches: shared by the web pages and the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.lib.text import has_control
from cleanrecord.reference.models import Department

from .models import ImportBatch


def batch_for(user, batch_id: int) -> ImportBatch:
    """A batch the user may see: the office sees all, a clerk their own department's. Others: 404."""
    batch = ImportBatch.objects.select_related("department").filter(pk=batch_id).first()
    if batch is None:
        raise Http404(gettext("未找到该导入批次"))
    if is_office(user):
        return batch
    if batch.department_id is None or batch.department not in departments_for(user):
        raise Http404(gettext("未找到该导入批次"))
    return batch


def batches_for(user):
    qs = ImportBatch.objects.select_related("department", "user")
    if is_office(user):
        return qs
    return qs.filter(department__in=departments_for(user))


def upload_department(user, code: str | None) -> Department | None:
    """The department an upload is for. A clerk always imports for their own department."""
    allowed = departments_for(user)
    if not allowed:
        raise PermissionDenied(gettext("无权导入数据：账号未绑定报送部门"))
    if not code:
        return None if is_office(user) else allowed[0]
    dept = Department.lookup(code) if len(code) <= 50 and not has_control(code) else None
    if dept is None or dept not in allowed:
        raise PermissionDenied(gettext("无权为该部门导入数据"))
    return dept
