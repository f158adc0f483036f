"""Telling people: an in-app message for each recipient, and the same by e-mail where they have an address.

Mail leaves only when the transaction that decided it commits, so a step that is rolled back tells
nobody. The backend is Django's (CLEANRECORD_EMAIL_BACKEND; the console in development).
"""

import logging
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q

from cleanrecord import conf

from .models import OFFICE_PERMISSION, DepartmentClerk, EntityUser, Notification

log = logging.getLogger(__name__)


def office_users():
    """The credit office: superusers and whoever holds the office's permission, directly or by group."""
    app_label, codename = OFFICE_PERMISSION.split(".")
    perm = Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename)
    group = Q(groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename)
    return get_user_model().objects.filter(Q(is_superuser=True) | perm | group, is_active=True).distinct()


def department_clerks(department_id):
    return get_user_model().objects.filter(
        pk__in=DepartmentClerk.objects.filter(department_id=department_id).values("user"), is_active=True)


def entity_users(credit_code: str):
    return get_user_model().objects.filter(
        pk__in=EntityUser.objects.filter(entity_id=credit_code).values("user"), is_active=True)


def notify(users: Iterable, subject: str, body: str = "", url: str = "",
           attachments: Sequence[tuple[str, bytes, str]] = ()) -> list[Notification]:
    """One message per distinct active user; e-mails (with `attachments`: name, content, type) are sent after commit."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, subject=subject[:200], body=body, url=url[:300],
                                 emailed=bool(user.email)))
    Notification.objects.bulk_create(rows)
    mails = [_mail(n, subject, body, url, attachments) for n in rows if n.emailed]
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return rows


def _mail(n: Notification, subject: str, body: str, url: str,
          attachments: Sequence[tuple[str, bytes, str]]) -> EmailMessage:
    base = conf.get("PUBLIC_BASE_URL").rstrip("/")
    platform = conf.get("PLATFORM_NAME")
    text = f"{body}\n\n{base}{url}" if url else body
    message = EmailMessage(f"【{platform}】{subject}", f"{text}\n\n—— {platform}（系统邮件，请勿直接回复）",
                           to=[n.user.email])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def _send(mails: list[EmailMessage]) -> None:
    try:
        get_connection(fail_silently=False).send_messages(mails)
    except Exception:  # a mail server that is down must not undo the step; the in-app message stands
        log.exception("notification e-mail failed for %d recipients", len(mails))
