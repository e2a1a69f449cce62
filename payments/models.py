"""Money the households pay into the unit's dedicated account for their share of the elevator.

One append-only ledger per unit. A payment, a refund and the reversal of a wrong entry are each a row;
nothing is edited or deleted (the database refuses updates: migration 0002), so the ledger is its own
history. Amounts are signed: a payment adds to what the household has paid in, a refund takes away,
a reversal cancels exactly the entry it names.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from retrofit.fields import YuanField, by_user, choice_checks

ZERO = Decimal("0.00")


class Kind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")


class Fund(models.TextChoices):
    """Where the household's money comes from."""

    OWN = "own", _("Own money")
    PROVIDENT = "provident_fund", _("Housing provident fund withdrawal")
    REPAIR = "repair_fund", _("Housing repair fund")


class Method(models.TextChoices):
    BANK = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    MOBILE = "mobile", _("WeChat / Alipay")
    PROVIDENT = "provident_fund", _("Provident fund transfer")
    REPAIR = "repair_fund", _("Repair fund transfer")


def by_its_transfer(fund: Fund, method: Method) -> models.CheckConstraint:
    """Money from a fund arrives by that fund's own transfer, and that transfer carries nothing else."""
    return models.CheckConstraint(
        condition=(Q(method=method) & Q(fund=fund)) | (~Q(method=method) & ~Q(fund=fund)),
        name=f"ledger_{fund}_by_transfer",
    )


class LedgerEntry(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="ledger", verbose_name=_("unit"))
    household = models.ForeignKey(
        "units.Household", on_delete=models.PROTECT, related_name="ledger", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Signed: payments > 0, refunds < 0, a reversal the opposite of the entry it reverses.
    amount = YuanField(_("amount (yuan)"))
    on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    fund = models.CharField(_("fund"), max_length=20, choices=Fund.choices, default=Fund.OWN)
    receipt_no = models.CharField(_("receipt number"), max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = by_user(_("recorded by"), required=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            *choice_checks("ledger", kind=Kind, fund=Fund, method=Method),
            models.CheckConstraint(
                condition=(Q(kind=Kind.PAYMENT) & Q(amount__gt=0) & ~Q(receipt_no="") & Q(reverses__isnull=True))
                | (Q(kind=Kind.REFUND) & Q(amount__lt=0) & Q(reverses__isnull=True))
                | (Q(kind=Kind.REVERSAL) & ~Q(amount=0) & Q(reverses__isnull=False) & ~Q(note="")),
                name="ledger_kind_shape",
            ),
            by_its_transfer(Fund.PROVIDENT, Method.PROVIDENT),
            by_its_transfer(Fund.REPAIR, Method.REPAIR),
            models.CheckConstraint(condition=~Q(reverses=F("id")), name="ledger_not_reversing_itself"),
            # A receipt number is used once in a unit, even on a payment later reversed: a voided
            # receipt stays void and the corrected payment gets a new receipt.
            models.UniqueConstraint(
                fields=["unit", "receipt_no"], condition=Q(kind=Kind.PAYMENT), name="ledger_receipt_unique_in_unit"
            ),
        ]
        indexes = [
            # The ledger list of a unit page, newest first, and the sums by household and fund.
            models.Index(fields=["unit", "-recorded_at"], name="ledger_unit_time"),
            # What one household has paid (arrears list, the household's own page).
            models.Index(fields=["household", "fund"], name="ledger_household_fund"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.on:%Y-%m-%d}"

    @property
    def magnitude(self) -> Decimal:
        return abs(self.amount)

    @property
    def is_reversed(self) -> bool:
        try:
            return self.reversal is not None
        except LedgerEntry.DoesNotExist:
            return False
