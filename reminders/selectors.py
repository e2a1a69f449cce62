"""What a user should do now: the attention list of the units in their scope, plus their own action
items that are overdue or due within 7 days. Computed on request, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consultations.models import ActionItem
from retrofit import attention
from units.models import Unit

ACTION_DAYS = 7
ACTION_OVERDUE, ACTION_SOON = "action_overdue", "action_soon"
KIND_LABELS = {
    ACTION_OVERDUE: _("Your action item is overdue"),
    ACTION_SOON: _("Your action item is due within 7 days"),
}
# Companies see the works records of their units, not residents, money or upkeep.
COMPANY_KINDS = frozenset({"acceptance_failed", "stalled"})
WORKS_KINDS = frozenset({"acceptance_failed", "maintenance_overdue", "inspection_due"})
MONEY_KINDS = frozenset({"unpaid"})


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    detail: str
    due: date | None
    unit: Unit | None = None
    action: ActionItem | None = None

    @property
    def label(self):
        return KIND_LABELS.get(self.kind) or attention.KINDS.get(self.kind, self.kind)

    @property
    def overdue(self) -> bool:
        return self.kind in ("overdue", ACTION_OVERDUE, "maintenance_overdue")

    @property
    def url(self) -> str:
        if self.action is not None:
            return reverse("meeting_detail", args=[self.action.meeting_id])
        if self.kind in WORKS_KINDS:
            return reverse("unit_works", args=[self.unit.pk])
        if self.kind in MONEY_KINDS:
            return reverse("unit_payments", args=[self.unit.pk])
        return reverse("unit_detail", args=[self.unit.pk])


def attention_key(item: attention.Attention) -> str:
    return f"{item.kind}:{item.unit_id}:{item.due.isoformat() if item.due else ''}"


def action_items_due(today: date, owners=None):
    items = ActionItem.objects.filter(done=False, due_on__lte=today + timedelta(days=ACTION_DAYS))
    if owners is not None:
        items = items.filter(owner__in=owners)
    return items.order_by("due_on", "id")


def action_item(item: ActionItem, today: date) -> Item:
    kind = ACTION_OVERDUE if item.due_on < today else ACTION_SOON
    return Item(key=f"action:{item.pk}:{kind}", kind=kind, detail=item.text, due=item.due_on, action=item)


def allowed_kinds(user, kinds):
    if user.is_company:
        return [k for k in kinds if k.kind in COMPANY_KINDS]
    return list(kinds)


def reminders_for(user, today: date) -> list[Item]:
    """Most urgent first: the attention order, then the user's own action items by due date."""
    units = Unit.objects.visible_to(user)
    found = allowed_kinds(user, attention.attention_for(units, today))
    by_id = Unit.objects.filter(pk__in={a.unit_id for a in found}).for_listing().in_bulk() if found else {}
    items = [
        Item(attention_key(a), a.kind, a.detail, a.due, unit=by_id[a.unit_id]) for a in found if a.unit_id in by_id
    ]
    if user.can_see_roster:  # action items come from meetings
        items += [action_item(item, today) for item in action_items_due(today, owners=[user])]
    return sort(items)


# An overdue action item ranks with a passed deadline, one due soon with a deadline near.
_ACTION_ORDER = {ACTION_OVERDUE: "overdue", ACTION_SOON: "deadline"}


def sort(items: list[Item]) -> list[Item]:
    def rank(item: Item):
        kind = _ACTION_ORDER.get(item.kind, item.kind)
        return (attention.ORDER.get(kind, 99), item.due or date.max, item.key)

    return sorted(items, key=rank)
