"""The roster's words: a household's occupancy and age band, and the estate ledger's words for its fields.

The ledger (住户台账, imported by consultations.roster_import) names a household's fields in its own words
(业主姓名, 建筑面积, 自住, 60-74岁 …). The roster's change history (HouseholdChange) shows its values in
those same words, so they live here, beside the choices they translate, below everything that reads them.
Column headers are the ledger's own words: they are data, not interface text.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from retrofit import co_owners


class Occupancy(models.TextChoices):
    OWNER = "owner", _("Owner-occupied")
    RENTED = "rented", _("Rented out")
    EMPTY = "empty", _("Vacant")


class AgeBand(models.TextChoices):
    UNDER_40 = "under_40", _("Under 40")
    FROM_40 = "40_59", _("40–59")
    FROM_60 = "60_74", _("60–74")
    OVER_75 = "75_plus", _("75 and over")


# The ledger's columns for a household's roster fields.
ROOM, FLOOR, AREA, OWNER, PHONE = "房号", "楼层", "建筑面积", "业主姓名", "联系电话"
OCCUPANCY, HARDSHIP, NOTE, AGE_BAND = "居住情况", "困难户", "备注", "年龄段"
# Optional: the owner's certificate (kept only as a keyed hash and its last four, retrofit/owner_ids.py),
# and the institution that owns a 公房 flat (docs/rules.md, "Who is one owner").
ID_NUMBER, INSTITUTION = "证件号码", "产权单位"
# No column of its own: the roster history's word for the co-owners a ledger names in 业主姓名 (共有).
CO_OWNERS = "共有人"

OCCUPANCY_WORDS = {"自住": Occupancy.OWNER, "出租": Occupancy.RENTED, "空置": Occupancy.EMPTY}
HARDSHIP_WORDS = {"是": True, "否": False, "": False}
AGE_BAND_WORDS = {
    "": "",
    "40岁以下": AgeBand.UNDER_40,
    "40-59岁": AgeBand.FROM_40,
    "60-74岁": AgeBand.FROM_60,
    "75岁及以上": AgeBand.OVER_75,
}
AGE_BAND_LABEL = {value: word for word, value in AGE_BAND_WORDS.items() if word}
OCCUPANCY_LABEL = {value: word for word, value in OCCUPANCY_WORDS.items()}

# The household fields a ledger row writes, with the ledger's word for each (in the ledger's order).
ROSTER_FIELDS = {
    "floor": FLOOR,
    "area": AREA,
    "owner_name": OWNER,
    "phone": PHONE,
    "occupancy": OCCUPANCY,
    "hardship": HARDSHIP,
    "note": NOTE,
    "age_band": AGE_BAND,
    # Its history shows the last four only (****1234), never the hash or the number.
    "id_hash": ID_NUMBER,
    "institution": INSTITUTION,
    # The co-owners after the first-named one (共有): the ledger writes them in 业主姓名 and 联系电话.
    "co_owners": CO_OWNERS,
}


# A phone that retrofit.phones cannot read, named by its column in the import and its label in a form.
INVALID_PHONE = _(
    "%(column)s “%(value)s” is not a phone number: give an 11-digit mobile number, or a landline with its area code"
)

# Entries of a household's roster history that are no field of it: owners found to be one (docs/rules.md).
SAME_OWNER = "same_owner"
HISTORY_ONLY = {SAME_OWNER: "同一业主"}


def stored_text(value) -> str:
    """A household field's value as HouseholdChange keeps it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return "" if value is None else str(value)


def field_label(field_name: str) -> str:
    """The ledger's word for a household field (业主姓名, 建筑面积 …); the vote has its own history."""
    return ROSTER_FIELDS.get(field_name) or HISTORY_ONLY.get(field_name, field_name)


def value_label(field_name: str, text: str) -> str:
    """A stored value (``stored_text``) in the ledger's words: 自住, 是, 60-74岁 …; "" stays ""."""
    if field_name == "occupancy":
        return OCCUPANCY_LABEL.get(text, text)
    if field_name == "hardship":
        return {"true": "是", "false": "否"}.get(text, text)
    if field_name == "age_band":
        return AGE_BAND_LABEL.get(text, text)
    if field_name == "co_owners":
        return co_owners.described(text)
    return text
