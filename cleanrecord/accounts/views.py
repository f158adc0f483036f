"""Signing in and out, and each user's messages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cleanrecord import conf

from . import roles
from .models import Notification

PAGE = 50


class LoginView(auth_views.LoginView):
    """After signing in without a `next`, each role lands on its own start page."""

    def get_context_data(self, **kwargs):
        # The identity service's button shows only when the platform is configured for it (cleanrecord/signin).
        return {**super().get_context_data(**kwargs), "oidc_enabled": bool(conf.get("OIDC_ISSUER"))}

    def get_default_redirect_url(self):
        return reverse(roles.landing(self.request.user))


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("inbox")
    page = Paginator(mine, PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page})
