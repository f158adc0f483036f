from django.conf import settings


def platform(request):
    """The platform's name, which menus the signed-in user has a use for, and their unread messages."""
    from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Notification, departments_for, is_office

    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    context = {"platform_name": settings.CLEANRECORD.get("PLATFORM_NAME", "信用信息共享平台"), "submits_data": False,
               "is_office": False, "is_clerk": False, "acts_for_entity": False, "unread": 0}
    if signed_in:
        context.update(
            submits_data=bool(departments_for(user)), is_office=is_office(user),
            is_clerk=DepartmentClerk.objects.filter(user=user).exists(),
            acts_for_entity=EntityUser.objects.filter(user=user).exists(),
            unread=Notification.objects.filter(user=user, read_at__isnull=True).count())
    return context
