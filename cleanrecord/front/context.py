from cleanrecord import conf
from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Notification, OrganisationMember, is_office
from cleanrecord.reference.models import Department


def platform(request):
    """The platform's name and footer, which menus the signed-in user has a use for, and their unread messages.

    The menu follows the roles of cleanrecord/accounts/roles.py: the office's work pages, a clerk's
    department pages, an entity user's portal, a bank's granted reports, an auditor's trail; a user
    with several roles sees each one's entries."""
    user = getattr(request, "user", None)
    context = {"platform_name": conf.get("PLATFORM_NAME"), "sponsor": conf.get("SPONSOR"),
               "contact": conf.get("CONTACT"), "icp": conf.get("ICP"), "submits_data": False,
               "is_office": False, "is_clerk": False, "acts_for_entity": False, "reads_for_others": False,
               "unread": 0}
    if user is not None and user.is_authenticated and user.is_active:
        # What accounts.departments_for() would list, without fetching every department on every page.
        office = is_office(user)
        clerk = DepartmentClerk.objects.filter(user=user).select_related("department").first()
        acts_for_entity = EntityUser.objects.filter(user=user).exists()
        context.update(
            submits_data=(Department.objects.filter(is_active=True).exists() if office
                          else clerk is not None and clerk.department.is_active),
            is_office=office, is_clerk=clerk is not None, acts_for_entity=acts_for_entity,
            reads_for_others=_reads_for_others(user, office or clerk is not None or acts_for_entity),
            unread=Notification.objects.filter(user=user, read_at__isnull=True).count())
    return context


def _reads_for_others(user, has_own_work: bool) -> bool:
    """A bank's or an agency's member (reports granted to its organisation), or an account with no role yet (its page
    says how to get one)."""
    if has_own_work:
        return False
    if not user.has_perm("audit.view_auditentry"):
        return True
    return OrganisationMember.objects.filter(user=user).exists()
