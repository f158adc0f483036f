"""Notification e-mail, sent by the worker: a mail server that is down delays the mail (the task is tried
again, then reported on /office/jobs/), never the step that decided it."""

import base64

from django.core.mail import get_connection
from django_tasks import task

from .models import Notification


@task()
def send_notification_mail(notification_ids: list[int], attachments: list[list[str]]) -> int:
    """E-mail the given in-app messages to their users; `attachments` are [name, base64 content, type]."""
    # Function-level import: notify queues this task, and builds the messages.
    from .notify import build_mail

    files = [(name, base64.b64decode(content), mimetype) for name, content, mimetype in attachments]
    rows = Notification.objects.filter(pk__in=notification_ids, emailed=True).select_related("user")
    mails = [build_mail(n, files) for n in rows if n.user.email]
    if mails:
        get_connection(fail_silently=False).send_messages(mails)
    return len(mails)
