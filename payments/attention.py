"""The payments app's reason for the attention list: shares still unpaid while the unit is collecting
them (signed contract, before construction). One query for any number of units."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from retrofit.attention import Attention

from .selectors import unpaid_by_unit

UNPAID = "unpaid"
UNPAID_DETAIL = _("%(n)d households still owe %(amount)s yuan")


def unpaid_attention(units, today: date) -> list[Attention]:
    return [
        Attention(unit_id, UNPAID, str(UNPAID_DETAIL % {"n": count, "amount": f"{total:,.2f}"}))
        for unit_id, (count, total) in sorted(unpaid_by_unit(units).items())
    ]
