"""Plans and cost shares: the third-party team's first plan for each unit, and each later version
(一单元一策), the unit meeting's changes applied to the current one."""

from __future__ import annotations

from decimal import Decimal

from units.models import EntryType, Unit
from units.plans import draft_for, plan_save

from .story import LAYOUT, Story


def save_plan(story: Story, unit: Unit, ago: int, *, note: str = "第三方团队初步方案", tweak=None) -> None:
    """A plan version (一单元一策); ``tweak(draft, households)`` turns the current one into the next."""
    households = list(unit.households.order_by("-floor", "room"))
    current = unit.plans.order_by("-version").first()
    if current is None:
        layout = next(
            x
            for x in LAYOUT
            if x.building == unit.building.number and x.estate == unit.building.estate.name
        )
        index = int(unit.building.number) + int(unit.number)
        entry = EntryType.HALF if index % 3 == 1 else EntryType.FLAT
        # Half-floor entry is cheaper (docs/rules.md, "Cost share"): 450–560 thousand yuan, flat-floor 590–700 thousand.
        low, high = (4500, 5600) if entry == EntryType.HALF else (5900, 7000)
        draft = draft_for(unit, households)
        draft.total_cost = Decimal(story.plan_rng.randrange(low, high + 1) * 100)
        draft.entry_type = entry
        draft.shaft_position = layout.shaft
    else:
        draft = draft_for(unit, households, current)
    if tweak:
        tweak(draft, households)
    draft.note = note
    plan_save(
        unit=unit,
        draft=draft,
        by=story.staff_of(unit),
        households=households,
        when=story.at(ago, 15),
        check_stale=False,
    )
