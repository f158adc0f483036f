"""Telling people: an in-app message for each recipient, and the same by e-mail where they have an address.

Mail is queued only when the transaction that decided it commits, so a step that is rolled back tells
nobody; the worker sends it (accounts.tasks), trying again when the mail server fails. The backend is
Django's (CLEANRECORD_EMAIL_BACKEND; the console in development).
"""

import base64
import logging
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cleanrecord import conf

from .models import OFFICE_PERMISSION, DepartmentClerk, EntityUser, Notification
from .tasks import send_notification_mail

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
    mailed = [n.pk for n in rows if n.emailed]
    if mailed:
        files = [[name, base64.b64encode(content).decode("ascii"), mimetype] for name, content, mimetype in attachments]
        transaction.on_commit(lambda: _queue_mail(mailed, files))
    return rows


def _queue_mail(notification_ids: list[int], files: list[list[str]]) -> None:
    try:
        send_notification_mail.enqueue(notification_ids, files)
    except Exception:  # the step is committed; its in-app messages stand
        log.exception("notification e-mail for %d recipients could not be queued", len(notification_ids))


def build_mail(n: Notification, attachments: Sequence[tuple[str, bytes, str]]) -> EmailMessage:
    base = conf.get("PUBLIC_BASE_URL").rstrip("/")
    platform = conf.get("PLATFORM_NAME")
    text = f"{n.body}\n\n{base}{n.url}" if n.url else n.body
    message = EmailMessage(f"【{platform}】{n.subject}", text + "\n\n" + _("—— %(platform)s（系统邮件，请勿直接回复）") % {"platform": platform},
                           to=[n.user.email])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message
