from cleanrecord import conf
from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Notification, is_office
from cleanrecord.reference.models import Department


def platform(request):
    """The platform's name, which menus the signed-in user has a use for, and their unread messages."""
    user = getattr(request, "user", None)
    context = {"platform_name": conf.get("PLATFORM_NAME"), "submits_data": False,
               "is_office": False, "is_clerk": False, "acts_for_entity": False, "unread": 0}
    if user is not None and user.is_authenticated and user.is_active:
        # What accounts.departments_for() would list, without fetching every department on every page.
        office = is_office(user)
        clerk = DepartmentClerk.objects.filter(user=user).select_related("department").first()
        context.update(
            submits_data=(Department.objects.filter(is_active=True).exists() if office
                          else clerk is not None and clerk.department.is_active),
            is_office=office, is_clerk=clerk is not None,
            acts_for_entity=EntityUser.objects.filter(user=user).exists(),
            unread=Notification.objects.filter(user=user, read_at__isnull=True).count())
    return context
