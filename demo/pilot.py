"""The pilot, unit by unit: the model unit of more than a year ago, the first batch through signing
into the works, the second in notice and signing, the rest still being consulted in each of the four
situations, and 光华小区 just surveyed."""

from __future__ import annotations

from decimal import Decimal

from consultations import services as consult
from consultations.models import ConsultationRound, Degree, HoldoutReason, RoundStatus
from units.models import AgeBand, Household, SplitMethod, Stage, Unit

from .consultation import OPPOSE_REASONS, campaign, holdout, open_round, play, rounds, survey
from .notice import log_objection, post_notice
from .plans import save_plan
from .signing import sign_contract, through_signing
from .story import GUANGHUA_SURVEY, OTHER_ESTATE, PILOT_ESTATE, ROUND1, ROUND1_DEADLINE, SURVEY, Story


def play_out(story: Story) -> None:
    """Everything since the model unit's survey, in the order it happened to each unit."""
    _model_unit(story)
    _pilot(story)
    _guanghua(story)


def _model_unit(story: Story) -> None:
    """The model unit, more than a year ago: surveyed, consulted, noticed and signed into approval."""
    unit = story.unit("1", "1")
    survey(story, unit, 490)
    open_round(story, unit, 484, 464)
    save_plan(story, unit, 483)
    play(story, campaign(story, unit, extra_contacts=2))
    through_signing(story, unit, notice=463, signing=442, contract=441, signed_by=434, approval=432)


def _pilot(story: Story) -> None:
    keys = [key for key in story.units if key[0] == PILOT_ESTATE and key[1:] != ("1", "1")]
    for key in keys:
        survey(story, story.units[key], SURVEY)
    for key in keys:
        unit = story.unit(*key[1:])
        open_round(story, unit, ROUND1, ROUND1_DEADLINE)
        save_plan(story, unit, ROUND1 - 1)
    _first_batch(story)
    _second_batch(story)
    _still_consulting(story)


def _first_batch(story: Story) -> None:
    """Ready in the first round: on notice, signed and handed to the works within weeks."""
    for (building, number), dates in [
        (("1", "2"), dict(notice=134, signing=113, contract=112, signed_by=104, approval=103)),
        (("1", "3"), dict(notice=133, signing=112, contract=111, signed_by=101, approval=100)),
        (("3", "3"), dict(notice=131, signing=110, contract=109, signed_by=97, approval=96)),
        # 2栋2单元: the owner of 202 works in Shenzhen and signed last; the joint review wants more.
        (
            ("2", "2"),
            dict(notice=124, signing=103, contract=100, signed_by=42, approval=38, last_signature=40),
        ),
    ]:
        unit = story.unit(building, number)
        play(story, campaign(story, unit, extra_contacts=2))
        if (building, number) == ("1", "2"):
            _top_floor_up(story, unit, dates["notice"] + 2)
        through_signing(story, unit, **dates)


def _top_floor_up(story: Story, unit: Unit, ago: int) -> None:
    def tweak(draft, households):
        top = max(draft.coefficients)
        draft.coefficients[top] = (draft.coefficients[top] * Decimal("1.1")).quantize(Decimal("0.01"))

    save_plan(story, unit, ago, note="单元会议：顶层系数上调10%", tweak=tweak)


def _second_batch(story: Story) -> None:
    # 2栋1单元: a second round brought it over the line; now collecting signatures.
    unit = story.unit("2", "1")
    rounds(story, unit, campaign(story, unit, extra_contacts=3), second=(75, 45))
    post_notice(story, unit, 48)
    story.move(unit, Stage.SIGNING, 27, "公示期满，无异议，进入签约")
    sign_contract(
        story,
        unit,
        26,
        parties={"community_signed_on": 24, "elevator_company_signed_on": 24},
        signed_by=4,
        refused={"202": (10, "认为电梯公司报价偏高，要求再比价")},
        pending=2,
    )

    # 2栋3单元: split by coefficient × area, as the unit meeting decided; an objection was settled
    # and the notice period is over, so signing can start.
    unit = story.unit("2", "3")
    rounds(story, unit, campaign(story, unit, extra_contacts=3), second=(62, 26))

    def by_area(draft, households):
        draft.method = SplitMethod.FLOOR_AREA

    save_plan(story, unit, 40, note="单元会议决定：按楼层系数×面积分摊", tweak=by_area)
    notice = post_notice(story, unit, 24)
    log_objection(
        story,
        notice,
        "101",
        18,
        "电梯井在我家窗外，影响采光，要求补偿。",
        settled=(
            11,
            "街道、社区组织协商：第三方团队日照分析影响在标准内；楼上住户自愿承担101防盗窗改造费用，本人签字认可。",
        ),
    )

    # 3栋1单元: on notice, with a written objection still open.
    unit = _consulting(story, "3", "1", contacts=3, second=(45, 12))
    notice = post_notice(story, unit, 9)
    log_objection(story, notice, "201", 3, "二楼基本不用电梯，按1.5的系数分摊不合理，要求降低或免除。")


def _consulting(
    story: Story,
    building: str,
    number: str,
    *,
    contacts: int,
    second: tuple[int, int],
    opposed: dict | None = None,
    dates: dict | None = None,
) -> Unit:
    """A unit still being won over: its campaign since the second round opened (the opposed rooms
    saying why, in their own words), played through the first round and the ``second`` one."""
    unit = story.unit(building, number)
    notes = {room: OPPOSE_REASONS[reason] for room, reason in (opposed or {}).items()}
    events = campaign(story, unit, extra_contacts=contacts, extra_since=second[0], notes=notes, dates=dates)
    rounds(story, unit, events, second=second)
    return unit


def _holdouts(story: Story, rows: list[tuple]) -> None:
    """Why each household holds out: (flat, reason, degree, days ago, detail, the plan's other fields)."""
    for household, reason, degree, ago, detail, plan in rows:
        holdout(story, household, reason, degree, ago, detail=detail, **plan)


def _still_consulting(story: Story) -> None:
    leader, staff = story.users["leader"], story.users["staff"]
    # 3栋2单元: the last owners needed agreed this week; the notice is being prepared.
    _consulting(story, "3", "2", contacts=5, second=(30, -12))

    # 4栋1单元: two short. 302 cannot afford the share: relief proposed and put in the plan;
    # 202 misunderstands the policy: a joint visit with a neighbour and a cadre is planned.
    opposed = {"302": HoldoutReason.HARDSHIP, "201": HoldoutReason.NOISE_LIGHT}
    unit = _consulting(story, "4", "1", contacts=7, second=(28, -5), opposed=opposed)
    flats = story.households(unit)
    Household.objects.filter(pk=flats["302"].pk).update(
        hardship=True, age_band=AgeBand.OVER_75, note="低保户，独居老人"
    )
    _holdouts(
        story,
        [
            (flats["302"], HoldoutReason.HARDSHIP, Degree.SOFT, 8, "愿意装，就是拿不出钱。", {"relief": Decimal("3000")}),
            (
                flats["202"],
                HoldoutReason.MISUNDERSTANDING,
                Degree.SOFT,
                6,
                "以为装电梯要占用自家阳台。",
                {"neighbour": flats["402"], "cadre": staff, "visit": -2},
            ),
            (flats["101"], HoldoutReason.LOW_FLOOR, Degree.STRONG, 12, "一楼用不上，还怕挡光。", {}),
            (flats["201"], HoldoutReason.NOISE_LIGHT, Degree.SOFT, 9, "卧室挨着井道，怕晚上吵。", {}),
        ],
    )
    relief_for = flats["302"].pk

    def relief(draft, households):
        draft.reliefs = {relief_for: Decimal("3000")}

    save_plan(story, unit, 5, note="302困难户减免3000元，由其他出资户按比例分担", tweak=relief)

    # 4栋2单元: wait and see; an on-site Q&A meeting is set before the deadline (see meetings).
    _consulting(story, "4", "2", contacts=9, second=(21, -10))

    # 4栋3单元: one short, and the second round's deadline has passed.
    opposed = {"201": HoldoutReason.COST_SPLIT, "102": HoldoutReason.LOW_FLOOR}
    unit = _consulting(story, "4", "3", contacts=7, second=(34, 4), opposed=opposed, dates={"201": 50})
    flats = story.households(unit)
    _holdouts(
        story,
        [
            (
                flats["101"],
                HoldoutReason.NOISE_LIGHT,
                Degree.STRONG,
                20,
                "井道正对卧室窗户。",
                {"companions": "街道城建科 王书记"},
            ),
            (flats["102"], HoldoutReason.LOW_FLOOR, Degree.STRONG, 20, "一楼不用电梯。", {}),
            (flats["201"], HoldoutReason.COST_SPLIT, Degree.SOFT, 14, "原来同意，看到二楼系数后改为反对。", {}),
            (
                flats["301"],
                HoldoutReason.MISUNDERSTANDING,
                Degree.SOFT,
                7,
                "业主在外地，听说要拆楼梯。",
                {"neighbour": flats["302"], "cadre": leader, "visit": -3},
            ),
        ],
    )

    # 5栋1单元: not enough support; the round is on hold for the leadership group.
    unit = story.unit("5", "1")
    events = campaign(
        story,
        unit, extra_contacts=5, extra_since=70, notes={"502": "听说电梯费每月要几十元，改为反对。"}
    )
    rounds(story, unit, events, second=(70, 40))
    current = unit.rounds.get(status=RoundStatus.OPEN)
    consult.round_hold(
        consultation_round=current,
        note="反对5户，其中一、二楼4户态度坚决，502由同意改为反对；申请领导小组研究是否暂缓。",
        by=staff,
    )
    ConsultationRound.objects.filter(pk=current.pk).update(held_at=story.at(36, 17))

    # 5栋2单元: consent was reached, but a gas main runs under the planned shaft.
    unit = story.unit("5", "2")
    rounds(story, unit, campaign(story, unit, extra_contacts=1))
    story.move(
        unit,
        Stage.PAUSED,
        88,
        "专题协调会：井道位置下方有燃气中压管道，需燃气公司出具迁改方案后再公示。",
        by=leader,
    )


def _guanghua(story: Story) -> None:
    for number in ("1", "2"):
        unit = story.unit("1", number, OTHER_ESTATE)
        survey(story, unit, GUANGHUA_SURVEY)
        play(story, campaign(story, unit, extra_contacts=2))
        save_plan(story, unit, 12, note="第三方团队初步测算（待征询）")
