"""The payments pages: who sees and writes the money, what they show, and their query budgets."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from payments import selectors, services
from payments.models import Fund, LedgerEntry, Method
from tests.factories import READS_THE_UNIT as READ
from tests.factories import WRITES_THE_UNIT as WRITE
from tests.factories import add_flats, at_stage, make_unit, plan_for, shares, signed_plan_for
from units import contracts
from units.models import Household, Stage, Unit

pytestmark = pytest.mark.django_db
D = Decimal


def payment_data(household, amount="100.00", receipt="R-1"):
    return {
        "household": household.pk, "amount": amount, "on": timezone.localdate().isoformat(),
        "fund": Fund.OWN, "method": Method.BANK, "receipt_no": receipt, "note": "",
    }


@pytest.mark.parametrize("role", READ)
def test_who_sees_the_payments_page(client, world, role):
    signed_plan_for(world.unit)
    client.force_login(world.users[role])
    assert client.get(reverse("unit_payments", args=[world.unit.pk])).status_code == READ[role]


@pytest.mark.parametrize("role", WRITE)
def test_who_records_a_payment(client, world, role):
    signed_plan_for(world.unit)
    client.force_login(world.users[role])
    response = client.post(reverse("payment_add", args=[world.unit.pk]), payment_data(world.flats[-1]))
    assert response.status_code == WRITE[role]
    assert LedgerEntry.objects.exists() == (WRITE[role] == 302)


def test_company_users_never_see_money(client, world, company_user):
    signed_plan_for(world.unit)
    entry = services.payment_record(
        household=world.flats[-1], amount=D("10.00"), on=timezone.localdate(), method=Method.CASH,
        receipt_no="R-1", by=world.users["staff"],
    )
    client.force_login(company_user)
    assert client.get(reverse("unit_detail", args=[world.unit.pk])).status_code == 302  # to its works page
    # The unit is theirs, the page is not for their role: 403 (README: pages a role may not use).
    assert client.get(reverse("unit_payments", args=[world.unit.pk])).status_code == 403
    assert client.get(reverse("arrears_list")).status_code == 403
    assert client.post(reverse("ledger_reverse", args=[entry.pk]), {"reason": "x"}).status_code == 403
    request = RequestFactory().get("/")
    request.user = company_user
    html = Template("{% load payment_tags %}{% unit_money_panel unit %}").render(Context({"request": request, "unit": world.unit}))
    assert "money-panel" not in html


def test_anonymous_goes_to_login(client, world):
    response = client.get(reverse("unit_payments", args=[world.unit.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_refused_payment_shows_the_error_and_writes_nothing(client, world):
    plan = signed_plan_for(world.unit)
    flat = world.flats[-1]
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("payment_add", args=[world.unit.pk]), payment_data(flat, amount=str(shares(plan)[flat.pk] + 1))
    )
    assert response.status_code == 422
    assert response.context["payment_form"].errors["amount"]
    assert not LedgerEntry.objects.exists()


def test_the_page_shows_each_flat_and_the_reversal_round_trip(client, world):
    plan = signed_plan_for(world.unit)
    flat = world.flats[-1]
    staff = world.users["staff"]
    client.force_login(staff)
    client.post(reverse("payment_add", args=[world.unit.pk]), payment_data(flat, amount="1000.00"))
    entry = LedgerEntry.objects.get()
    assert entry.recorded_by == staff and entry.amount == D("1000.00")
    money = client.get(reverse("unit_payments", args=[world.unit.pk])).context["money"]
    row = next(r for r in money.rows if r.household == flat)
    assert (row.account.due, row.account.paid, row.account.outstanding) == (
        shares(plan)[flat.pk], D("1000.00"), shares(plan)[flat.pk] - D("1000.00"),
    )
    assert money.totals.collected == D("1000.00")
    response = client.post(reverse("ledger_reverse", args=[entry.pk]), {"reason": "录错了"})
    assert response.status_code == 302
    assert client.get(reverse("unit_payments", args=[world.unit.pk])).context["money"].totals.collected == 0


def _grow(world, units=3, flats=12):
    for number in range(2, 2 + units):
        unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="9", unit=str(number))
        add_flats(unit, ["agree"] * flats, owner_prefix=f"B9-{number}-")
        signed_plan_for(unit)
        flat = unit.households.order_by("-floor").first()
        services.payment_record(
            household=flat, amount=D("10.00"), on=date(2026, 5, 1), method=Method.CASH, receipt_no=f"R{number}",
            by=world.users["staff"],
        )


def test_payments_page_query_count_is_fixed(client, world, django_assert_num_queries):
    signed_plan_for(world.unit)
    staff = world.users["staff"]
    for index, flat in enumerate(world.flats[-4:]):
        services.payment_record(
            household=flat, amount=D("10.00"), on=date(2026, 5, 1), method=Method.CASH, receipt_no=f"R{index}", by=staff,
        )
    client.force_login(staff)
    url = reverse("unit_payments", args=[world.unit.pk])
    # session, user, unit; plan, its shares, households, ledger, acceptance checks, subsidy;
    # the form's households (once for its choices); the menu's overdue actions and scope label
    with django_assert_num_queries(12):
        client.get(url)
    for index in range(4):  # more households (new on the roster, not in the plan)
        Household.objects.create(unit=world.unit, room=f"1-0{index}", floor=1, area=D("50.00"), owner_name=f"新{index}")
    with django_assert_num_queries(12):
        client.get(url)


def test_arrears_list_and_its_query_count(client, world, django_assert_num_queries):
    plan = signed_plan_for(world.unit)
    flat = world.flats[-1]
    services.payment_record(
        household=flat, amount=shares(plan)[flat.pk], on=date(2026, 5, 1), method=Method.CASH, receipt_no="R1",
        by=world.users["staff"],
    )
    client.force_login(world.users["leader"])
    url = reverse("arrears_list")
    # session, user, communities of the user's units, the arrears; the menu's overdue actions and scope
    with django_assert_num_queries(6):
        arrears = client.get(url).context["arrears"]
    paying = [s for s in plan.shares.all() if s.amount > 0]
    assert len(arrears.owing) == len(paying) - 1  # 602 paid in full
    assert flat.pk not in {r.household.pk for r in arrears.owing}
    assert arrears.owing_total == plan.net_cost - shares(plan)[flat.pk]
    _grow(world)
    with django_assert_num_queries(6):
        client.get(url)
    # the community filter, and a community out of scope is a 404
    assert client.get(url, {"community": world.community.pk}).status_code == 200
    assert client.get(url, {"community": world.far.pk}).status_code == 404
    client.force_login(world.users["sibling_staff"])
    assert client.get(url).context["arrears"].owing == []


def test_money_panel_on_the_unit_page(world, rf, django_assert_num_queries):
    signed_plan_for(world.unit)
    request = rf.get("/")
    request.user = world.users["viewer"]
    template = Template("{% load payment_tags %}{% unit_money_panel unit %}")
    unit = Unit.objects.for_listing().get(pk=world.unit.pk)  # as the unit page loads it
    with django_assert_num_queries(2):
        html = template.render(Context({"request": request, "unit": unit}))
    assert "money-panel" in html and reverse("unit_payments", args=[world.unit.pk]) in html


def test_before_signing_no_arrears_only_expected_shares(client, world, rf):
    """A draft plan's shares are expected (预计分摊), not debts: nobody owes before the contract is made."""
    plan = plan_for(world.unit)
    flats = sorted(world.unit.households.all(), key=lambda f: -shares(plan)[f.pk])  # the one paying first
    services.payment_record(household=flats[0], amount=shares(plan)[flats[0].pk], on=timezone.localdate(),
                            method=Method.BANK, fund=Fund.OWN, receipt_no="R-1", by=world.users["staff"])
    summary = selectors.money_summary(world.unit)
    paying = [f for f in flats if shares(plan)[f.pk] > 0]
    assert (summary.owing, summary.households_owing) == (0, 0)
    assert summary.households_expected == len(paying) - 1
    assert summary.expected == plan.net_cost - shares(plan)[flats[0].pk]
    money = selectors.unit_money(world.unit)
    assert money.totals.outstanding == 0 and money.totals.households_owing == 0
    assert money.totals.expected_unpaid == summary.expected
    assert selectors.arrears(Unit.objects.filter(pk=world.unit.pk)).owing == []
    # the staff's pages say so: no red "owes" on the unit page's panel, no debt on the payments page
    request = rf.get("/")
    request.user = world.users["staff"]
    html = Template("{% load payment_tags %}{% unit_money_panel unit %}").render(Context({"request": request, "unit": world.unit}))
    assert 'data-testid="panel-owing"' not in html and "尚欠" not in html
    assert 'data-testid="panel-expected"' in html and "预计分摊" in html
    client.force_login(world.users["staff"])
    page = client.get(reverse("unit_payments", args=[world.unit.pk])).content.decode()
    assert 'data-testid="outstanding"' not in page and "尚欠" not in page and "预计分摊" in page

    # once the contract is made, what is unpaid is owed
    at_stage(world.unit, Stage.SIGNING)
    contracts.contract_start(unit=world.unit, by=None)
    summary = selectors.money_summary(world.unit)
    assert summary.households_owing == len(paying) - 1 and summary.expected == 0
    assert summary.owing == plan.net_cost - shares(plan)[flats[0].pk]
    html = Template("{% load payment_tags %}{% unit_money_panel unit %}").render(Context({"request": request, "unit": world.unit}))
    assert 'data-testid="panel-owing"' in html and "户尚欠" in html
