"""The project's recurring field declarations, each written once: money in yuan, the user who did
something, the checks that keep a choice field to its choices, a name unique within its parent, and the two
shapes most checks take (one fact implies another; an optional field, once set, obeys a rule)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class YuanField(models.DecimalField):
    """An amount of money in yuan, to the fen: 12 digits, 2 of them after the point.

    ``minimum`` (0, or ``Decimal("0.01")`` for an amount that must be positive) adds the validator forms
    run; the table's CheckConstraint keeps the database to it.
    """

    DIGITS, PLACES = 12, 2

    def __init__(self, verbose_name=None, *, minimum=None, **kwargs):
        kwargs.setdefault("max_digits", self.DIGITS)
        kwargs.setdefault("decimal_places", self.PLACES)
        if minimum is not None:
            kwargs["validators"] = [MinValueValidator(minimum), *kwargs.get("validators", ())]
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        # Migrations see a plain DecimalField: the class adds only Python defaults, and a new path would make
        # SQLite rebuild each money table, which drops the triggers that guard the ledger and frozen plans.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def protected_key(to, verbose_name=None, *, required=False, **kwargs) -> models.ForeignKey:
    """A reference that keeps its target: a row something points at is never deleted (PROTECT), so no
    record loses the user, company or street it names. May be empty unless ``required``."""
    if not required:
        kwargs.update(null=True, blank=True)
    return models.ForeignKey(to, on_delete=models.PROTECT, verbose_name=verbose_name, **kwargs)


def by_user(verbose_name=None, *, required=False, **kwargs) -> models.ForeignKey:
    """The user who made, changed or settled a record: kept while the record is, empty for the command line
    and the import unless ``required``, not listed from the user's side (related_name "+")."""
    kwargs.setdefault("related_name", "+")
    return protected_key(settings.AUTH_USER_MODEL, verbose_name, required=required, **kwargs)


def choice_checks(prefix: str, **fields: type[models.Choices]) -> list[models.CheckConstraint]:
    """One CheckConstraint per choice field, ``<prefix>_<field>_valid``: the column holds one of its choices."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__in": choices.values}), name=f"{prefix}_{field}_valid"
        )
        for field, choices in fields.items()
    ]


def unique_in(prefix: str, field: str, parent: str) -> models.UniqueConstraint:
    """``field`` names a row within its ``parent`` (a room within its unit), ``<prefix>_unique_<field>_in_<parent>``.

    The parent comes first in the index, so it also serves "the rows of this parent".
    """
    return models.UniqueConstraint(fields=[parent, field], name=f"{prefix}_unique_{field}_in_{parent}")


def implies(condition: Q, then: Q, *, name: str) -> models.CheckConstraint:
    """A check that ``then`` holds on every row where ``condition`` holds (a signed signature has a date)."""
    return models.CheckConstraint(condition=~condition | then, name=name)


def when_set(field: str, then: Q, *, name: str) -> models.CheckConstraint:
    """A check that an optional field, once set, obeys ``then`` (a settled objection says how); empty always passes."""
    return models.CheckConstraint(condition=Q(**{f"{field}__isnull": True}) | then, name=name)
