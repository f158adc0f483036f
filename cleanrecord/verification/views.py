from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from . import services
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
