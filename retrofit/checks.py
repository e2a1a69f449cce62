"""Checks every service makes of what it is given: a date that must already have happened (a payment
received, a check made, a permit issued), words that must be given (a reason, a decision, a receipt).

Forms check the same things as typed; the services check again for callers without a form (the demo,
commands). One test and one way of refusing for each, whoever asks.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

IN_FUTURE = _("This date is in the future.")


def _refusal(message, field: str | None) -> ValidationError:
    """The refusal, said under ``field`` when the caller names the field it belongs to."""
    return ValidationError({field: message} if field else message)


def not_in_future(value: date, today: date | None = None, *, field: str | None = None) -> None:
    """Refuse ``value`` when it lies after ``today`` (by default today in the local time zone).

    Usable as it stands as a form field's validator; a service names the ``field`` the error belongs to.
    """
    if value > (today or timezone.localdate()):
        raise _refusal(IN_FUTURE, field)


def required_text(value: str | None, message, *, field: str | None = None) -> str:
    """``value`` without the spaces around it; refused with ``message`` when nothing else is left."""
    text = (value or "").strip()
    if not text:
        raise _refusal(message, field)
    return text
