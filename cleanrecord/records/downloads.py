"""The rejected rows of an import as a file to fix and send again: CSV or XLSX, for the web page and the API."""

from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from cleanrecord.audit.services import record_event

from .importing import rejected
from .models import ImportBatch
from .services import ImportResult, temp_dir

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rejected_rows_response(*, user, batch: ImportBatch, file_format: str) -> HttpResponseBase:
    """The batch's rejected rows as sent, with 行号 and 拒收原因. The caller has checked the user may see
    the batch (access.batch_for); the download is audited, as the rows hold ID numbers in clear."""
    if file_format not in FORMATS:
        raise Http404(gettext("文件格式应为 csv 或 xlsx"))
    path = ImportResult(batch).rejected_rows()
    if path is None:
        raise Http404(gettext("该批次没有拒收的数据行"))
    with transaction.atomic():
        record_event(user=user, action="records.rejected_rows_download", target=f"import_batch:{batch.pk}",
                     after={"format": file_format, "rows": batch.rows_rejected})
    name = gettext("导入批次%(batch)s-拒收数据.%(format)s") % {"batch": batch.pk, "format": file_format}
    if file_format == "csv":
        response = StreamingHttpResponse(rejected.csv_chunks(path), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    return FileResponse(rejected.xlsx_file(path, temp_dir("exports")), as_attachment=True, filename=name,
                        content_type=XLSX)
