"""Dates of what must already have happened: a payment received, a check made, a permit issued.

One sentence and one test for them, whether a form field refuses the date as typed or a service refuses
it again for callers without a form.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

IN_FUTURE = _("This date is in the future.")


def not_in_future(value: date, today: date | None = None, *, field: str | None = None) -> None:
    """Refuse ``value`` when it lies after ``today`` (by default today in the local time zone).

    Usable as it stands as a form field's validator; a service names the ``field`` the error belongs to.
    """
    if value > (today or timezone.localdate()):
        raise ValidationError({field: IN_FUTURE} if field else IN_FUTURE)
