import functools

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from cleanrecord import conf
from cleanrecord.reports import codes

from . import display, files, services
from .models import Channel, Result


def too_many(request, seconds: int) -> HttpResponse:
    response = render(request, "verification/too_many.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def guessable(view):
    """A page of a report reached by its verification code (reports' own pages, wrapped in urls.py): an
    unknown code there spends the same per-client budget as /verify, so it is no side door for guessing."""

    @functools.wraps(view)
    def guarded(request, code: str, *args, **kwargs):
        client = services.client_key(request)
        wait = services.retry_after(client)
        if wait:
            return too_many(request, wait)
        try:
            return view(request, code, *args, **kwargs)
        except Http404:  # the reports' views answer an unknown code so
            wait = services.spend(client)
            if wait:
                return too_many(request, wait)
            raise

    return guarded


@require_safe
def verify_form(request):
    """Type a code; the QR code on a report opens /verify/<code> directly."""
    typed = request.GET.get("code", "").strip()
    if typed:
        # A report number typed here is kept as such: the answer then says where the code is printed.
        return redirect("verify", code=codes.normalise(typed) or codes.as_report_number(typed) or "-")
    return render(request, "verification/form.html", {"prefix": conf.get("REPORT_NUMBER_PREFIX")})


@require_safe
def verify(request, code: str):
    client = services.client_key(request)
    try:  # the budget is read with the report: verify_code() raises Throttled past it
        result = services.verify_code(code, channel=Channel.PAGE, client=client, user=request.user)
    except services.Throttled as e:
        return too_many(request, e.seconds)
    found = result.result != Result.NOT_FOUND
    checked_at = dateformat.format(timezone.localtime(), "Y-m-d H:i")

    def page(checked_at: str = checked_at) -> str:
        return render_to_string("verification/result.html", {
            "v": result, "s": result.snapshot, "typed": code, "checked_at": checked_at,
            "domains": display.report_domains(result.snapshot, result.changes) if result.snapshot else [],
            # Said of the shape of what was typed, never looked up: it answers alike for a number that exists and
            # one that does not, and it has cost the budget of an unknown code.
            "report_number": "" if found else codes.as_report_number(code),
        }, request=request)

    if not found:
        return HttpResponse(page(), status=404)
    if _stateless(request):
        # A visitor with no session and no pending message (one who scanned the QR code) sees the page every
        # such visitor sees in this language: kept under everything the answer depends on.
        # The time of this verification is the one part that differs: the page is kept with a mark in its place.
        kept = services.cached_answer(result, f"page:{get_language()}", lambda: page(CHECKED_AT_MARK))
        return HttpResponse(kept.replace(CHECKED_AT_MARK, checked_at, 1))
    return HttpResponse(page())


CHECKED_AT_MARK = "\x00checked-at\x00"


def _stateless(request) -> bool:
    return not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.COOKIES.get("messages")
                or request.user.is_authenticated)


@require_http_methods(["GET", "POST"])
def verify_file(request):
    """Upload a report PDF: is it a file we issued, unchanged, and is the report still valid?"""
    context = {"max_mb": files.max_megabytes()}
    if request.method == "GET":
        return render(request, "verification/file.html", context)
    verdict = files.check_file(request.FILES.get("file"), client=services.client_key(request), user=request.user)
    response = render(request, "verification/file.html", {**context, "v": verdict}, status=verdict.http_status)
    if verdict.retry_after:
        response["Retry-After"] = str(verdict.retry_after)
    return response
