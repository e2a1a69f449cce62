"""Holdouts: reason and degree, and the plan the reason calls for (the pilot report's 分类施策)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Holdout
from tests.factories import WRITES_THE_UNIT, add_flats, make_unit


def _save(world, household=None, **kwargs):
    args = {"household": household or world.flats[8], "reason": "hardship", "degree": "soft", "by": world.users["staff"]}
    args.update(kwargs)
    return services.holdout_save(**args)


def test_hardship_proposes_relief_in_yuan_with_two_decimals(world):
    holdout = _save(world, relief_amount=Decimal("1500.5"), detail="退休金低")
    holdout.refresh_from_db()
    assert (holdout.reason, holdout.degree, holdout.relief_amount) == ("hardship", "soft", Decimal("1500.50"))


def test_relief_must_be_positive(world):
    with pytest.raises(ValidationError) as refused:
        _save(world, relief_amount=Decimal("0"))
    assert services.RELIEF_POSITIVE in refused.value.messages


def test_misunderstanding_plans_a_joint_visit_with_a_neighbour_and_a_cadre(world):
    neighbour = world.flats[0]  # same unit
    cadre = world.users["staff"]
    day = timezone.localdate()
    holdout = _save(
        world, reason="misunderstanding", degree="strong", neighbour=neighbour, cadre=cadre, visit_planned_on=day
    )
    assert (holdout.neighbour, holdout.cadre, holdout.visit_planned_on) == (neighbour, cadre, day)


def test_a_neighbour_on_the_same_floor_of_another_building_counts(world):
    other = make_unit(world.community, estate=world.estate.name, building="9")
    same_floor = add_flats(other, ["agree"] * 12, owner_prefix="邻")[8]  # room 501, like world.flats[8]
    assert same_floor.floor == world.flats[8].floor
    assert _save(world, reason="misunderstanding", neighbour=same_floor).neighbour == same_floor
    elsewhere = add_flats(make_unit(world.community, estate=world.estate.name, building="8"), ["agree"], owner_prefix="远")
    with pytest.raises(ValidationError):  # floor 1 of building 8
        _save(world, reason="misunderstanding", neighbour=elsewhere[0])


def test_a_neighbour_in_another_estate_does_not_count(world):
    with pytest.raises(ValidationError) as refused:
        _save(world, reason="misunderstanding", neighbour=world.sibling_unit.households.first())
    assert services.NEIGHBOUR_NOT_NEAR in refused.value.messages


def test_the_cadre_must_work_in_the_street(world):
    with pytest.raises(ValidationError):
        _save(world, reason="misunderstanding", cadre=world.users["outsider"])
    with pytest.raises(ValidationError):
        _save(world, reason="misunderstanding", cadre=world.users["viewer"])  # not a cadre who visits


def test_plan_fields_that_do_not_fit_the_reason_are_dropped(world):
    holdout = _save(world, reason="noise_light", relief_amount=Decimal("100"), neighbour=world.flats[0])
    assert (holdout.relief_amount, holdout.neighbour) == (None, None)


def test_an_agreeing_household_is_no_holdout(world):
    with pytest.raises(ValidationError):
        _save(world, household=world.flats[0])


def test_the_database_keeps_plans_with_their_reasons(world):
    holdout = _save(world, reason="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        Holdout.objects.filter(pk=holdout.pk).update(relief_amount=Decimal("5.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Holdout.objects.filter(pk=holdout.pk).update(neighbour=world.flats[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Holdout.objects.filter(pk=holdout.pk).update(reason="misunderstanding", neighbour=holdout.household)


def test_saving_again_updates_the_one_record(world):
    _save(world)
    _save(world, reason="cost_split", degree="strong")
    assert Holdout.objects.get().reason == "cost_split"


@pytest.mark.parametrize(("role", "status"), WRITES_THE_UNIT.items())
def test_holdout_page_by_role(client, world, role, status):
    client.force_login(world.users[role])
    url = reverse("holdout_edit", args=[world.flats[8].pk])
    response = client.post(url, {"reason": "hardship", "degree": "soft", "relief_amount": "800.00"})
    assert response.status_code == status
    assert Holdout.objects.exists() is (status == 302)


def test_holdout_form_offers_agreeing_neighbours_first(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("holdout_edit", args=[world.flats[8].pk]))
    choices = list(response.context["form"].fields["neighbour"].queryset)
    assert world.flats[8] not in choices
    same_unit = {str(label): options for label, options in response.context["form"].fields["neighbour"].choices[1:]}["同单元"]
    assert same_unit[0][1].endswith("同意")


def test_proposed_reliefs_for_the_cost_share_plan(world):
    from consultations.selectors import proposed_reliefs

    _save(world, household=world.flats[8], relief_amount=Decimal("2000"))
    _save(world, household=world.flats[9], reason="other")
    assert proposed_reliefs(world.unit) == {world.flats[8].pk: Decimal("2000.00")}


def test_the_joint_visit_picker_offers_the_nearest_neighbours_agreeing_first_with_their_names(client, world):
    """Same floor, same unit, same building, in that order, those who agree first in each; not the whole
    estate, not the strongly opposed, and names in full for staff (who see them everywhere else)."""
    next_door = make_unit(world.community, estate=world.estate.name, building="1", unit="2")
    beside = add_flats(next_door, ["oppose", "agree", "undecided", "agree"], owner_prefix="邻单元")
    far = make_unit(world.community, estate=world.estate.name, building="9")
    add_flats(far, ["agree"] * 12, owner_prefix="远")  # the same floors in another building: not offered
    holdout_household = world.flats[10]  # 601, undecided; 602 abstains
    strong = world.flats[8]  # 501 opposes
    _save(world, household=strong, reason="cost_split", degree="strong")

    client.force_login(world.users["staff"])
    form = client.get(reverse("holdout_edit", args=[holdout_household.pk])).context["form"]
    groups = [(str(label), [str(text) for _pk, text in options]) for label, options in form.fields["neighbour"].choices[1:]]
    assert [label for label, _ in groups] == ["同层", "同单元", "同楼栋"]
    offered = [text for _label, options in groups for text in options]
    assert not any("远" in text for text in offered)  # not the whole estate
    assert not any("-501 " in text for text in offered)  # strongly opposed
    assert groups[0][1] == ["1-1-602 业主11 · 弃权"]
    same_unit = groups[1][1]
    # those who agree first (floors 1 to 4), then 502 undecided; names in full for staff
    assert [text.split()[0] for text in same_unit] == [f"1-1-{r}" for r in ("101", "102", "201", "202", "301", "302", "401", "402", "502")]
    assert same_unit[0] == "1-1-101 业主0 · 同意"
    building = groups[2][1]
    assert [text.split()[0] for text in building] == ["1-2-102", "1-2-202", "1-2-101", "1-2-201"]
    assert building[0] == f"1-2-102 {beside[1].owner_name} · 同意"


def test_a_neighbour_chosen_before_stays_on_offer(client, world):
    far = add_flats(make_unit(world.community, estate=world.estate.name, building="9"), ["agree"] * 12, owner_prefix="远")
    _save(world, household=world.flats[10], reason="misunderstanding", neighbour=far[10])  # 601 of building 9
    client.force_login(world.users["staff"])
    form = client.get(reverse("holdout_edit", args=[world.flats[10].pk])).context["form"]
    assert far[10] in form.fields["neighbour"].queryset
