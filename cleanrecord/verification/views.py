from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from . import files, services
from .models import Channel, Result


def too_many(request, seconds: int) -> HttpResponse:
    response = render(request, "verification/too_many.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_safe
def verify_form(request):
    """Type a code; the QR code on a report opens /verify/<code> directly."""
    typed = request.GET.get("code", "").strip()
    if typed:
        return redirect("verify", code=services.codes.normalise(typed) or "-")
    return render(request, "verification/form.html")


@require_safe
def verify(request, code: str):
    client = services.client_key(request)
    wait = services.retry_after(client)
    if wait:
        return too_many(request, wait)
    result = services.verify_code(code, channel=Channel.PAGE, client=client)
    if result.result == Result.NOT_FOUND:
        services.spend(client)
    return render(request, "verification/result.html", {"v": result, "s": result.snapshot, "typed": code},
                  status=404 if result.result == Result.NOT_FOUND else 200)


@require_http_methods(["GET", "POST"])
def verify_file(request):
    """Upload a report PDF: is it a file we issued, unchanged, and is the report still valid?"""
    context = {"max_mb": files.max_megabytes()}
    if request.method == "GET":
        return render(request, "verification/file.html", context)
    verdict = files.check_file(request.FILES.get("file"), client=services.client_key(request))
    response = render(request, "verification/file.html", {**context, "v": verdict}, status=verdict.http_status)
    if verdict.retry_after:
        response["Retry-After"] = str(verdict.retry_after)
    return response
