"""Refusals: a write that is not made, with the words that say why.

Every refusal is a ``ValidationError``, so a form shows it (``retrofit/formflow.py``). ``Stale`` is the one
kind a form answers differently: someone else saved first, nothing was written, and the form is drawn
again from what is stored now, with the subclass's message on top (README, Architecture: "A stale form
... is refused and reloaded, never silently overwritten").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """A service refuses the write; ``messages`` says why, each in words for staff."""


class Stale(Refused):
    """Someone else saved first: nothing was written. Subclasses name their ``default_message``."""

    default_message = ""

    def __init__(self, message=None, *args, **kwargs):
        super().__init__(message or self.default_message, *args, **kwargs)

    def __str__(self) -> str:
        # The words themselves, as the page shows them (a plain ValidationError prints a list).
        return " ".join(self.messages)
