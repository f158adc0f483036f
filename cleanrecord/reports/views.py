import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.models import acts_for, is_office
from cleanrecord.entities.models import Entity
from cleanrecord.lib import replica
from cleanrecord.lib.refusals import Refused
from cleanrecord.reference.models import Domain

from . import codes, rules
from .models import Purpose, Report, ReportLanguage, SigningRoot
from .services import issue_report
from .signing import KeyMissing, root_certificate_pem
from .snapshot import read_snapshot


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise Refused(f"日期格式不正确：{value}") from None


@login_required
@require_http_methods(["GET", "POST"])
def new_report(request, code: str):
    """The entity's own users (and the office) pick domains, period and purpose, and get the signed PDF.

    The report's page and PDF are then reached through its unguessable verification code.
    """
    entity = Entity.objects.filter(credit_code=code.upper()).first()
    if entity is None:
        raise Http404("未找到该经营主体")
    if not (is_office(request.user) or acts_for(request.user, entity.credit_code)):
        raise PermissionDenied("仅限该经营主体的绑定用户申请报告。请携带营业执照和身份证明向信用办申请绑定。")
    today = timezone.localdate()
    start, end = rules.default_period(today)
    error = ""
    form: dict[str, Any] = {"domains": [], "all": True, "start": start.isoformat(), "end": end.isoformat(),
                            "purpose": Purpose.FINANCE, "purpose_text": "", "language": ReportLanguage.CHINESE}
    if request.method == "POST":
        chosen = request.POST.getlist("domains")
        form = {"domains": chosen, "all": request.POST.get("scope") != "some", "start": request.POST.get("start", ""),
                "end": request.POST.get("end", ""), "purpose": request.POST.get("purpose", ""),
                "purpose_text": request.POST.get("purpose_text", ""),
                "language": request.POST.get("language", ReportLanguage.CHINESE)}
        try:
            report = issue_report(
                credit_code=entity.credit_code, domains="all" if form["all"] else chosen,
                start=_date(form["start"]), end=_date(form["end"]), purpose=form["purpose"],
                purpose_text=form["purpose_text"], language=form["language"], user=request.user, channel="web",
            )
        except Refused as e:
            error = str(e)
        else:
            return redirect("report-detail", code=report.verification_code)
    return render(request, "reports/new.html", {
        "entity": entity, "domains": Domain.objects.all(), "purposes": Purpose.choices, "form": form,
        "languages": ReportLanguage.choices,
        "error": error, "max_start": rules.years_before(today, rules.rule("REPORT_MAX_YEARS")).isoformat(),
        "today": today.isoformat(),
    }, status=400 if error else 200)


def _report_by_code(code: str) -> Report:
    report = replica.or_from_primary(  # issued a moment ago: maybe not on the replica yet
        lambda: Report.objects.select_related("entity").filter(verification_code=codes.normalise(code)).first())
    if report is None:
        raise Http404("未找到该报告")
    return report


@replica.replica_reads
def report_detail(request, code: str):
    report = _report_by_code(code)
    return render(request, "reports/detail.html", {
        "report": report, "s": read_snapshot(report.snapshot),
        # The entity's own users may object to a record the report shows, from here.
        "may_object": acts_for(request.user, report.entity_id),
    })


@replica.replica_reads
def report_pdf(request, code: str):
    report = _report_by_code(code)
    return FileResponse(open(report.pdf_path, "rb"), as_attachment=True, filename=f"{report.number}.pdf",
                        content_type="application/pdf")


def root_certificate(request):
    """The platform's root certificate, to trust the reports' signatures in a PDF reader."""
    try:
        pem = root_certificate_pem()
    except KeyMissing:  # issuing stops until the key is back, but the root readers trust is still the recorded one
        recorded = SigningRoot.objects.filter(current=True).first()
        if recorded is None:
            return HttpResponse("平台根证书暂不可用。", status=503, content_type="text/plain; charset=utf-8")
        pem = recorded.certificate.encode()
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="cleanrecord-root.pem"'
    return response
