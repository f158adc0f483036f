from django.conf import settings


def platform(request):
    """The platform's name, and which menus the signed-in user has a use for."""
    from cleanrecord.accounts.models import departments_for

    user = getattr(request, "user", None)
    submits_data = bool(user is not None and user.is_authenticated and departments_for(user))
    return {"platform_name": settings.CLEANRECORD.get("PLATFORM_NAME", "信用信息共享平台"), "submits_data": submits_data}
