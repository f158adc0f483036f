from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from cleanrecord.accounts.models import acts_for, is_office
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib import replica
from cleanrecord.lib.refusals import Refused
from cleanrecord.matters.models import Matter

from . import codes, rules
from .forms import ReportRequestForm
from .models import Purpose, Report, ReportLanguage, SigningRoot
from .services import issue_report
from .signing import KeyMissing, root_certificate_pem
from .snapshot import read_snapshot


@login_required
@require_http_methods(["GET", "POST"])
def new_report(request, code: str):
    """The entity's own users (and the office) pick domains, period and purpose, and get the signed PDF.

    The report's page and PDF are then reached through its unguessable verification code.
    """
    entity = Entity.objects.filter(credit_code=code.upper()).first()
    if entity is None:
        raise Http404(gettext("未找到该经营主体"))
    if not (is_office(request.user) or acts_for(request.user, entity.credit_code)):
        raise PermissionDenied(gettext("仅限该经营主体的绑定用户申请报告。请携带营业执照和身份证明向信用办申请绑定。"))
    today = timezone.localdate()
    start, end = rules.default_period(today)
    initial = {"scope": True, "start": start, "end": end, "purpose": Purpose.FINANCE,
               "language": ReportLanguage.CHINESE}
    matter_id = request.GET.get("matter", "")
    matter = Matter.objects.active().filter(pk=matter_id).first() if matter_id.isdigit() else None
    if matter is not None:  # started from the catalogue (a link, or 按办理事项选择 without script)
        initial.update(ReportRequestForm.matter_initial(matter))
    form = ReportRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = issue_report(
                credit_code=entity.credit_code, domains=form.service_domains(), start=data["start"],
                end=data["end"], purpose=data["purpose"], purpose_text=data["purpose_text"], language=data["language"],
                user=request.user, channel="web",
            )
        except Refused as e:
            form.refuse(e)
        else:
            if data.get("matter") is not None:
                Report.objects.filter(pk=report.pk).update(matter=data["matter"])
                record_event(user=request.user, action="reports.matter", target=f"report:{report.pk}",
                             after={"number": report.number, "matter": data["matter"].pk})
            return redirect("report-detail", code=report.verification_code)
    form["start"].field.widget.attrs.update(min=rules.years_before(today, rules.rule("REPORT_MAX_YEARS")).isoformat(),
                                            max=today.isoformat())
    form["end"].field.widget.attrs.update(max=today.isoformat())
    return render(request, "reports/new.html", {"entity": entity, "form": form, "matter": matter,
                                                "matters": ReportRequestForm.matter_options()},
                  status=400 if form.errors else 200)


def _report_by_code(code: str) -> Report:
    report = replica.or_from_primary(  # issued a moment ago: maybe not on the replica yet
        lambda: Report.objects.select_related("entity").filter(verification_code=codes.normalise(code)).first())
    if report is None:
        raise Http404(gettext("未找到该报告"))
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
            return HttpResponse(gettext("平台根证书暂不可用。"), status=503, content_type="text/plain; charset=utf-8")
        pem = recorded.certificate.encode()
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="cleanrecord-root.pem"'
    return response
