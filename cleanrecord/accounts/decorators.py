from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .models import is_office


def office_required(view):
    """Signed-in credit office staff only; others get 403 (anonymous visitors the login page)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied(gettext("仅限信用办工作人员访问"))
        return view(request, *args, **kwargs)

    return wrapper
