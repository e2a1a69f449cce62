"""Plans (units/plans.py, selectors.py, plan_views.py): versions, what-if, exact shares, roles, queries.

world.unit has 12 flats of 80 m², two a floor on six floors, in 红旗街道 whose policy is the default:
40 % subsidy capped at 280,000 and the coefficients of docs/rules.md (0, 1.5, 4, 9, 15, 20.5). A total of
600,000 gives a subsidy of 240,000, a net cost of 360,000 and 3,600 yuan per coefficient point.
"""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.story import STREET
from retrofit.masking import mask_name
from tests.factories import READS_THE_UNIT as READ
from tests.factories import add_flats, households, make_unit
from units import costshare, plan_tables, plans, running_costs
from units.models import (
    Household,
    Plan,
    PlanShare,
    RunningCost,
    SplitMethod,
    Stage,
    Street,
    SubsidyKind,
    Unit,
)
from units.selectors import current_plans, shares_by_household

pytestmark = pytest.mark.django_db

EXPECTED = {1: Decimal("0.00"), 2: Decimal("5400.00"), 3: Decimal("14400.00"), 4: Decimal("32400.00"), 5: Decimal("54000.00"), 6: Decimal("73800.00")}
ROLES = ["leader", "staff", "sibling_staff", "unit_leader", "viewer", "outsider"]
WRITE = {"leader": 200, "staff": 200, "sibling_staff": 404, "unit_leader": 403, "viewer": 403, "outsider": 404}


def draft(unit, total="600000", **changes):
    d = plans.draft_for(unit, households(unit))
    d.total_cost = Decimal(total)
    for name, value in changes.items():
        setattr(d, name, value)
    return d


def save(unit, by=None, base=None, **changes):
    return plans.plan_save(unit=unit, draft=draft(unit, **changes), by=by, base_version=base)


def form_data(unit, *, total="600000", method="floor", subsidy="", base="", **extra):
    data = {"entry_type": "flat", "stops": "6", "total_cost": total, "subsidy": subsidy, "method": method, "base_version": base}
    coefficients = unit.street.coefficients_for(unit.building.floors)
    data.update({f"coef_{floor}": str(value) for floor, value in coefficients.items()})
    data.update(extra)
    return data


# --- the street's policy --------------------------------------------------------------------------


def test_street_subsidy_rules(world):
    street = world.street
    assert plans.policy_subsidy(world.unit, Decimal("600000")) == Decimal("240000.00")
    assert plans.policy_subsidy(world.unit, Decimal("800000")) == Decimal("280000.00")  # the cap
    street.subsidy_kind, street.subsidy_amount = SubsidyKind.FIXED, Decimal("200000")
    street.save()
    world.unit.refresh_from_db()
    assert plans.policy_subsidy(Unit.objects.for_listing().get(pk=world.unit.pk), Decimal("600000")) == Decimal("200000.00")


def test_street_subsidy_constraint(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Street.objects.filter(pk=world.street.pk).update(subsidy_percent=Decimal("120"))


def test_street_default_coefficients_extend_above_the_table(world):
    street = world.street
    assert street.coefficients_for(6) == costshare.default_coefficients(6)
    street.default_coefficients = "1:0, 2:0.3, 3:0.6"
    street.full_clean()
    assert street.coefficients_for(5) == {1: 0, 2: Decimal("0.3"), 3: Decimal("0.6"), 4: Decimal("0.9"), 5: Decimal("1.2")}
    street.default_coefficients = "1:0, 2:x"
    with pytest.raises(Exception, match="default_coefficients"):
        street.full_clean()


# --- computing and saving -------------------------------------------------------------------------


def test_first_version_takes_building_and_policy_and_is_exact(world):
    plan = save(world.unit, by=world.users["staff"])
    assert (plan.version, plan.subsidy, plan.net_cost, plan.subsidy_from_policy) == (1, Decimal("240000.00"), Decimal("360000.00"), True)
    assert plan.stops == 6 and plan.floor_height == world.unit.building.floor_height
    shares = list(plan.shares.all())
    assert len(shares) == 12
    assert {s.floor: s.amount for s in shares} == EXPECTED
    assert sum(s.amount for s in shares) == plan.net_cost
    assert plan.coefficients == {"1": "0", "2": "1.5", "3": "4", "4": "9", "5": "15", "6": "20.5"}


def test_relief_is_spread_over_the_other_payers(world):
    flat = next(h for h in households(world.unit) if h.room == "302")
    plan = save(world.unit, reliefs={flat.pk: Decimal("3000")})
    amounts = {s.room: s.amount for s in plan.shares.all()}
    assert amounts["302"] == Decimal("11400.00")
    assert amounts["301"] == Decimal("14525.00")  # 14,400 + 3,000 × 14,400 / 345,600
    assert amounts["101"] == Decimal("0.00")
    assert sum(amounts.values()) == Decimal("360000.00")
    assert PlanShare.objects.get(plan=plan, room="302").relief == Decimal("3000.00")


def test_area_method_and_overridden_subsidy(world):
    Household.objects.filter(unit=world.unit, room="602").update(area=Decimal("100.00"))
    plan = save(world.unit, method=SplitMethod.FLOOR_AREA, subsidy=Decimal("200000"))
    amounts = {s.room: s.amount for s in plan.shares.all()}
    assert plan.subsidy == Decimal("200000.00") and not plan.subsidy_from_policy
    assert amounts["602"] > amounts["601"]
    assert sum(amounts.values()) == Decimal("400000.00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coefficients": dict.fromkeys(range(1, 7), Decimal("0"))}, "coefficients"),
        ({"subsidy": Decimal("700000")}, "subsidy"),
        ({"coefficients": {**costshare.default_coefficients(6), 3: Decimal("1.23456")}}, "coef_3"),
    ],
)
def test_problems_point_at_their_field(world, changes, field):
    with pytest.raises(plan_tables.ShareProblem) as problem:
        plans.compute(world.unit, households(world.unit), draft(world.unit, **changes))
    assert problem.value.field == field
    assert problem.value.message


def test_relief_larger_than_the_share_names_the_flat(world):
    flat = next(h for h in households(world.unit) if h.room == "201")
    with pytest.raises(plan_tables.ShareProblem) as problem:
        plans.compute(world.unit, households(world.unit), draft(world.unit, reliefs={flat.pk: Decimal("6000")}))
    assert problem.value.field == f"relief_{flat.pk}"
    assert "201" in problem.value.message


def test_engine_messages_are_translated():
    from django.utils import translation

    with translation.override("en"):
        where, message = plan_tables.explain(costshare.CostShareError("The relief of room 302 is larger than its share."))
    assert where == "relief" and "302" in message
    with translation.override("zh-hans"):
        assert plan_tables.explain(costshare.CostShareError("Unheard of."))[1] == "Unheard of."


def test_versions_stale_and_unchanged(world):
    first = save(world.unit)
    with pytest.raises(plans.StalePlan):
        save(world.unit, base=None)  # a form opened before version 1 existed
    with pytest.raises(plans.NothingChanged):
        save(world.unit, base=1)
    second = save(world.unit, base=1, total="620000", note="工程价调整")
    assert second.version == 2 and second.note == "工程价调整"
    assert Plan.objects.filter(unit=world.unit).count() == 2
    first.refresh_from_db()
    assert first.total_cost == Decimal("600000.00")  # an old version never changes


def test_history_lists_who_what_before_after(world):
    save(world.unit, by=world.users["staff"])
    save(world.unit, by=world.users["leader"], base=1, coefficients={**costshare.default_coefficients(6), 6: Decimal("22.55")})
    newest, oldest = plans.history(list(world.unit.plans.prefetch_related("shares")))
    assert newest.plan.version == 2 and newest.plan.created_by == world.users["leader"]
    assert [label for label, _b, _a in newest.fields] == [str(Plan._meta.get_field("coefficients").verbose_name)]
    changed = dict((room, (before, after)) for room, before, after in newest.shares)
    assert set(changed) == {"201", "202", "301", "302", "401", "402", "501", "502", "601", "602"}
    assert changed["601"][0] == Decimal("73800.00") and changed["601"][1] > changed["601"][0]
    assert oldest.fields == [] and oldest.shares == []


def test_roster_change_is_noticed(world):
    plan = save(world.unit)
    assert not plans.roster_changed(plan, households(world.unit))
    Household.objects.filter(unit=world.unit, room="101").update(area=Decimal("81.00"))
    assert plans.roster_changed(plan, households(world.unit))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.integers(min_value=1, max_value=90_000_000),
    coefficients=st.lists(st.decimals(min_value=0, max_value=50, places=2), min_size=6, max_size=6),
    method=st.sampled_from(SplitMethod.values),
)
def test_stored_shares_always_add_up_to_the_net_cost(world, total, coefficients, method):
    table = dict(enumerate(coefficients, start=1))
    if not any(table.values()):
        table[6] = Decimal("1")
    result = plans.compute(
        world.unit, households(world.unit), draft(world.unit, total=str(Decimal(total) / 100), coefficients=table, method=method)
    )
    assert result.balanced
    assert result.total == result.net_cost == result.total_cost - result.subsidy


# --- selectors and unit_status ---------------------------------------------------------------------


def test_selectors_read_current_versions_in_one_query_each(world, django_assert_num_queries):
    save(world.unit)
    save(world.unit, base=1, total="650000")
    save(world.sibling_unit)
    units = [world.unit, world.sibling_unit, world.far_unit]
    with django_assert_num_queries(1):
        current = current_plans(units)
    assert current[world.unit.pk].version == 2 and current[world.far_unit.pk] is None
    with django_assert_num_queries(1):
        shares = shares_by_household(units)
    flats = households(world.unit)
    assert len(shares) == 12 + 6
    assert sum(shares[h.pk] for h in flats) == Decimal("390000.00")


def _status(**options):
    out = StringIO()
    call_command("unit_status", format="json", stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_unit_status_reports_money_and_shares(world):
    save(world.unit)
    rows = {r["estate"]: r for r in _status()}
    row = rows["绵纺厂宿舍小区"]
    assert (row["total_cost"], row["subsidy"], row["net_cost"]) == ("600000.00", "240000.00", "360000.00")
    assert row["shares"][0] == {"room": "101", "floor": 1, "amount": "0.00"}
    assert row["shares"][-1] == {"room": "602", "floor": 6, "amount": "73800.00"}
    assert sum(Decimal(s["amount"]) for s in row["shares"]) == Decimal(row["net_cost"])
    assert rows["东风小区"]["net_cost"] is None and rows["东风小区"]["shares"] == []


def test_unit_status_query_count_does_not_grow_with_units(world):
    from consultations.reports import unit_status_rows, units_for_status

    save(world.unit)

    def count():
        with CaptureQueriesContext(connection) as queries:
            unit_status_rows(units_for_status())
        return len(queries)

    before = count()
    for number in range(2, 5):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building=str(number))
        add_flats(unit, ["agree"] * 6)
        save(Unit.objects.for_listing().get(pk=unit.pk))
    assert count() == before


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_plan_pages_by_role(client, world, role):
    save(world.unit)
    client.force_login(world.users[role])
    pk = world.unit.pk
    for name in ("unit_plan", "plan_print", "running_costs"):
        assert client.get(reverse(name, args=[pk])).status_code == READ[role], name
    preview = client.post(reverse("plan_preview", args=[pk]), form_data(world.unit, base="1"), HTTP_HX_REQUEST="true")
    assert preview.status_code == WRITE[role]
    saved = client.post(reverse("unit_plan", args=[pk]), form_data(world.unit, total="610000", base="1"))
    assert saved.status_code == {200: 302}.get(WRITE[role], WRITE[role])
    assert world.unit.plans.count() == (2 if WRITE[role] == 200 else 1)


def test_anonymous_goes_to_login(client, world):
    for name in ("unit_plan", "plan_print", "running_costs", "plan_preview"):
        response = client.get(reverse(name, args=[world.unit.pk]))
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))


def test_editors_get_the_form_readers_the_table(client, world):
    save(world.unit)
    client.force_login(world.users["viewer"])
    page = client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    assert 'data-testid="plan-form"' not in page and 'data-testid="share-table"' in page
    assert "73,800.00" in page
    client.force_login(world.users["staff"])
    page = client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    assert 'data-testid="plan-form"' in page


def test_preview_recomputes_without_saving(client, world):
    save(world.unit)
    client.force_login(world.users["staff"])
    data = form_data(world.unit, base="1", coef_6="22.55")
    response = client.post(reverse("plan_preview", args=[world.unit.pk]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in html and "sum-ok" in html
    table = plans.compute(world.unit, households(world.unit), draft(world.unit, coefficients={**costshare.default_coefficients(6), 6: Decimal("22.55")}))
    top = next(r for r in table.rows if r.room == "601")
    assert f"{top.amount:,.2f}" in html and "+" in html
    assert world.unit.plans.count() == 1


def test_preview_shows_errors_next_to_the_field(client, world):
    client.force_login(world.users["staff"])
    html = client.post(
        reverse("plan_preview", args=[world.unit.pk]), form_data(world.unit, coef_3="-1"), HTTP_HX_REQUEST="true"
    ).content.decode()
    start = html.index('id="err-coef_3"')
    assert html[start : html.index("</div>", start)].split(">", 1)[1].strip()  # the slot holds a message
    assert 'data-testid="share-problem"' in html
    flat = next(h for h in households(world.unit) if h.room == "101")
    html = client.post(
        reverse("plan_preview", args=[world.unit.pk]), form_data(world.unit, **{f"relief_{flat.pk}": "10"}), HTTP_HX_REQUEST="true"
    ).content.decode()
    start = html.index(f'id="err-relief_{flat.pk}"')
    assert "101" in html[start : html.index("</div>", start)]


def test_saving_from_the_page_makes_a_version_with_relief(client, world):
    client.force_login(world.users["staff"])
    flat = next(h for h in households(world.unit) if h.room == "302")
    response = client.post(
        reverse("unit_plan", args=[world.unit.pk]),
        form_data(world.unit, note="302困难户减免", **{f"relief_{flat.pk}": "3000"}),
    )
    assert response.status_code == 302
    plan = world.unit.plans.get()
    assert plan.created_by == world.users["staff"] and plan.note == "302困难户减免"
    assert PlanShare.objects.get(plan=plan, room="302").amount == Decimal("11400.00")
    # The form of an old page (base version missing) is refused rather than silently overwriting.
    response = client.post(reverse("unit_plan", args=[world.unit.pk]), form_data(world.unit, total="650000"))
    assert response.status_code == 302 and world.unit.plans.count() == 1


def test_old_versions_are_readable(client, world):
    save(world.unit)
    save(world.unit, base=1, total="650000")
    client.force_login(world.users["viewer"])
    page = client.get(reverse("unit_plan", args=[world.unit.pk]) + "?version=1").content.decode()
    assert "73,800.00" in page and 'data-testid="version-2"' in page
    assert client.get(reverse("unit_plan", args=[world.unit.pk]) + "?version=9").status_code == 404
    printed = client.get(reverse("plan_print", args=[world.unit.pk]) + "?version=1").content.decode()
    assert "360,000.00" in printed


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_the_notice_board_printout_masks_names_and_leaves_relief_out(client, world, role):
    """The share table goes on the notice board: names masked as the notice printout does (业*), whoever
    prints, and no household's hardship relief, neither in a column nor as a total."""
    flat = next(h for h in households(world.unit) if h.room == "302")
    save(world.unit, reliefs={flat.pk: Decimal("3000")})
    assert PlanShare.objects.get(room="302").relief == Decimal("3000.00")
    client.force_login(world.users[role])
    page = client.get(reverse("plan_print", args=[world.unit.pk])).content.decode()
    assert "11,400.00" in page  # 302's share after its relief is printed
    for household in households(world.unit):
        assert household.owner_name not in page
        assert f"<td>{mask_name(household.owner_name)}</td>" in page  # 业主10 → 业***
    assert "3,000.00" not in page and "困难减免" not in page


def test_plan_page_query_count_does_not_grow(client, world):
    save(world.unit)
    client.force_login(world.users["staff"])
    url = reverse("unit_plan", args=[world.unit.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    add_flats(make_unit(world.community, estate="绵纺厂宿舍小区", building="9"), ["agree"] * 4)
    Household.objects.create(unit=world.unit, room="603", floor=6, area=Decimal("50"), owner_name="新业主")
    save(world.unit, base=1, total="650000")
    # session, user, unit, households, versions, their shares, contract, the user's community (navbar)
    assert count() == before == 9


def test_unit_plan_panel_tag(rf, world, django_assert_num_queries):
    from django.template import Context, Template

    save(world.unit)
    request = rf.get("/")
    request.user = world.users["viewer"]
    template = Template("{% load unit_tags %}{% unit_plan_panel unit %}")
    with django_assert_num_queries(2):  # the current plan; the contract with its signature counts
        html = template.render(Context({"request": request, "unit": world.unit}))
    assert "v1" in html and "360,000.00" in html and reverse("unit_plan", args=[world.unit.pk]) in html


# --- running costs -------------------------------------------------------------------------------


def test_running_costs_split_the_plan_way_exactly(client, world):
    save(world.unit)
    plan = world.unit.plans.get()
    table = running_costs.running_split(plan, electricity=Decimal("1000.01"), maintenance=Decimal("6000"), method=plan.method, coefficients=plan.coefficient_table)
    assert table.balanced and sum(r.electricity for r in table.rows) == Decimal("1000.01")
    assert all(r.amount == 0 for r in table.rows if r.floor == 1)
    client.force_login(world.users["staff"])
    data = {"period": "2026-10", "electricity": "1000.01", "maintenance": "6000", "method": "floor"}
    data.update({f"coef_{f}": str(v) for f, v in plan.coefficient_table.items()})
    preview = client.post(reverse("running_costs_preview", args=[world.unit.pk]), data, HTTP_HX_REQUEST="true")
    assert "7,000.01" in preview.content.decode()
    assert RunningCost.objects.count() == 0
    assert client.post(reverse("running_costs", args=[world.unit.pk]), data).status_code == 302
    record = RunningCost.objects.get()
    assert (record.plan, record.created_by, record.total) == (plan, world.users["staff"], Decimal("7000.01"))
    again = client.post(reverse("running_costs", args=[world.unit.pk]), data)
    assert again.status_code == 422 and RunningCost.objects.count() == 1
    html = again.content.decode()  # the taken period is said under its field
    start = html.index('id="err-period"')
    assert "2026-10" in html[start : html.index("</div>", start)]
    page = client.get(reverse("running_costs", args=[world.unit.pk])).content.decode()
    assert "2026-10" in page and "7,000.01" in page


def test_running_costs_period_format_is_a_constraint(world):
    plan = save(world.unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        RunningCost.objects.create(unit=world.unit, plan=plan, period="2026-13", created_at=plan.created_at)


# --- demo data -----------------------------------------------------------------------------------


def test_every_demo_unit_has_an_exact_plan(demo_street):
    # The story's street (its generated neighbour in the district, demo/services.py, has no plans).
    units = list(Unit.objects.filter(building__estate__community__street__name=STREET))
    current = current_plans(units)
    assert all(current.values())
    for unit in units:
        plan = current[unit.pk]
        shares = list(plan.shares.all())
        assert sum(s.amount for s in shares) == plan.net_cost
        assert {s.household_id for s in shares} == set(unit.households.values_list("pk", flat=True))
        assert Decimal("450000") <= plan.total_cost <= Decimal("700000")
    plans_ = list(current.values())
    assert any(p.method == SplitMethod.FLOOR_AREA for p in plans_)
    assert any(s.relief for p in plans_ for s in p.shares.all())
    assert Unit.objects.filter(stage=Stage.SIGNING, contract__isnull=False).exists()


def test_saving_an_invalid_form_shows_the_errors_and_saves_nothing(client, world):
    client.force_login(world.users["staff"])
    response = client.post(reverse("unit_plan", args=[world.unit.pk]), form_data(world.unit, coef_3="-1", total="0"))
    assert response.status_code == 422
    html = response.content.decode()
    for slot in ("err-coef_3", "err-total_cost"):
        start = html.index(f'id="{slot}"')
        assert html[start : html.index("</div>", start)].split(">", 1)[1].strip()
    assert not world.unit.plans.exists()


def test_a_running_notice_is_pointed_out(client, world):
    save(world.unit)
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.NOTICE)
    client.force_login(world.users["staff"])
    assert 'data-testid="notice-running"' in client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()


def test_every_slot_the_preview_swaps_is_on_the_page(client, world):
    """htmx logs htmx:oobErrorNoTarget for an out-of-band swap whose id is not on the page: every error
    slot the what-if sends (entry type, method, note, the stale base version among them) has its place."""
    import re

    save(world.unit)
    client.force_login(world.users["staff"])
    page = client.get(reverse("unit_plan", args=[world.unit.pk])).content.decode()
    on_page = set(re.findall(r'\bid="([^"]+)"', page))
    for data in (form_data(world.unit, base="1"), form_data(world.unit, base="1", coef_3="-1")):
        preview = client.post(reverse("plan_preview", args=[world.unit.pk]), data, HTTP_HX_REQUEST="true")
        swapped = set(re.findall(r'<[^>]*\bid="([^"]+)"[^>]*hx-swap-oob', preview.content.decode()))
        assert swapped and swapped <= on_page, sorted(swapped - on_page)


def test_a_stale_base_version_is_said_with_the_forms_own_errors(client, world):
    save(world.unit)
    client.force_login(world.users["staff"])
    data = form_data(world.unit, base="abc")
    html = client.post(reverse("plan_preview", args=[world.unit.pk]), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="err-base_version"' not in html
