"""Public notice: the draft-signed agreement posted at the unit's entrance, and the written objections
to it, settled or still open."""

from __future__ import annotations

from consultations import services as consult
from consultations.models import ConsultationRound, Notice, Objection
from units.models import Stage, Unit

from .story import HOTLINE, Story


def post_notice(story: Story, unit: Unit, ago: int, *, days: int = 20) -> Notice:
    """Draft-sign the agreement two days before and post it: consultation → notice, the round closes."""
    drafted = ago + 2
    story.move(
        unit,
        Stage.NOTICE,
        ago,
        f"协议于 {story.day(drafted):%Y-%m-%d} 草签，{story.day(ago):%Y-%m-%d} 起在单元门口和小区公示栏公示{days}日",
        hour=9,
    )
    plan = unit.plans.order_by("-version").first()
    notice = consult.notice_start(
        unit=unit,
        draft_signed_on=story.day(drafted),
        starts_on=story.day(ago),
        days=days,
        plan_summary=(
            f"{plan.get_entry_type_display()}，井道位于{plan.shaft_position}，{plan.stops}站；"
            f"总造价{plan.total_cost:,.0f}元，政府补贴{plan.subsidy:,.0f}元，"
            f"其余{plan.net_cost:,.0f}元由住户{plan.get_method_display()}分摊（一楼不分摊）。"
        ),
        contact_phone=HOTLINE,
        by=story.staff_of(unit),
        when=story.at(ago, 9),  # recorded on the day it was posted, as the story tells it
    )
    ConsultationRound.objects.filter(unit=unit, closed_on=story.today).update(closed_on=story.day(ago))
    return notice


def log_objection(
    story: Story,
    notice: Notice,
    room: str,
    received: int,
    content: str,
    settled: tuple[int, str] | None = None,
) -> Objection:
    """A written objection received ``received`` days ago; ``settled`` (days ago, resolution) settles it."""
    household = notice.unit.households.get(room=room)
    objection = consult.objection_log(
        notice=notice,
        objector=household.owner_name,
        received_on=story.day(received),
        content=content,
        household=household,
        by=story.staff_of(notice.unit),
    )
    Objection.objects.filter(pk=objection.pk).update(recorded_at=story.at(received, 11))
    if settled:
        ago, resolution = settled
        consult.objection_settle(
            objection=objection, resolution=resolution, by=story.users["leader"], settled_on=story.day(ago)
        )
    return objection
