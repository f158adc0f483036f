"""Refused: the one exception that carries a refusal to the person who asked.

A service that will not do what it was asked (a report for an entity outside the region, an objection
out of time, a calendar file with a bad line) raises Refused with a Chinese sentence saying why, through
gettext where it is fixed text. Web pages show that sentence (a message or the form's error), the API
answers it as {"detail": …} with `status` (cleanrecord/api.py), and management commands as a CommandError.
Nothing else carries text to the user: any other exception is a fault, which reaches the 500 page (with
the request's id, never the exception's text) and the log.
"""

from __future__ import annotations

from django.utils.functional import Promise


class Refused(Exception):
    """A refusal the user reads: `str(e)` is the (Chinese, translatable) message.

    `field` names the form field the refusal is about, where there is one; `status` is the HTTP status
    the API answers with (a subclass sets another, e.g. 413 for a file too large).
    """

    status: int = 400

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
