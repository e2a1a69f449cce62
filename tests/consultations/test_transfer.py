"""Change of owner mid-project 过户 (issue 15 item 5; docs/rules.md, "Consent": "A change of owner")."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations import campaign, services
from consultations.models import OwnerTransfer, SameOwnerDecision, Vote, VoteChange
from consultations.selectors import consent_on, visit_list
from consultations.services.same_owner import same_owner_decide
from payments.models import LedgerEntry
from tests.factories import WRITES_THE_UNIT, add_flats, at_stage, make_unit, signed_plan_for
from units.models import Household, HouseholdChange, Stage, Unit


def _transfer(world, household=None, *, on=None, name="新业主", phone="138-0000-0009", by="staff"):
    return services.owner_transfer_record(
        household=household or world.flats[0],
        transferred_on=on or timezone.localdate(),
        new_name=name,
        new_phone=phone,
        by=world.users[by],
    )


def test_the_old_owners_vote_closes_and_the_new_owner_starts_undecided(world):
    flat = world.flats[0]
    old_name, old_phone = flat.owner_name, flat.phone
    transfer = _transfer(world, on=timezone.localdate() - timedelta(days=3))
    flat.refresh_from_db()
    assert (flat.owner_name, flat.phone) == ("新业主", "13800000009")  # the phone in its one form
    assert Vote.objects.get(household=flat).value == "undecided"
    closing = VoteChange.objects.get(household=flat)
    assert (closing.before, closing.after, closing.source) == ("agree", "undecided", "transfer")
    roster = {c.field: (c.before, c.after, c.source) for c in HouseholdChange.objects.filter(household=flat)}
    assert roster == {
        "owner_name": (old_name, "新业主", "transfer"),
        "phone": (old_phone, "13800000009", "transfer"),
    }
    transfer.refresh_from_db()
    assert (transfer.old_name, transfer.old_phone, transfer.new_name, transfer.new_phone) == (
        old_name, old_phone, "新业主", "13800000009",
    )
    assert transfer.recorded_by == world.users["staff"] and not transfer.after_signing


def test_a_new_owner_who_already_holds_a_flat_keeps_their_one_vote(world):
    other = world.flats[8]  # oppose
    _transfer(world, name=other.owner_name, phone=other.phone)
    assert Vote.objects.get(household=world.flats[0]).value == "oppose"


def test_a_transfer_is_refused_in_the_future_before_the_last_one_or_to_the_same_owner(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        _transfer(world, on=today + timedelta(days=1))
    flat = world.flats[1]
    with pytest.raises(ValidationError):
        _transfer(world, flat, name=flat.owner_name, phone=flat.phone)
    with pytest.raises(ValidationError):
        _transfer(world, flat, phone="12345")
    _transfer(world, flat, on=today - timedelta(days=2))
    with pytest.raises(ValidationError):
        _transfer(world, flat, on=today - timedelta(days=5), name="第三人", phone="")
    assert OwnerTransfer.objects.filter(household=flat).count() == 1


def test_consent_on_a_day_counts_the_owner_of_that_day(world):
    """8 of 12 agree; 101 is sold on day 10: before it the old owner agreed, from it the new one has not said."""
    unit = world.unit
    flat = world.flats[0]
    tz = timezone.get_current_timezone()
    VoteChange.objects.create(household=flat, before="", after="agree", changed_at=datetime(2026, 1, 5, 10, tzinfo=tz))
    services.owner_transfer_record(
        household=flat, transferred_on=date(2026, 1, 10), new_name="新业主", new_phone="", by=world.users["staff"]
    )
    VoteChange.objects.filter(household=flat, source="transfer").update(changed_at=datetime(2026, 1, 12, 9, tzinfo=tz))
    OwnerTransfer.objects.filter(household=flat).update(recorded_at=datetime(2026, 1, 12, 9, tzinfo=tz))
    # The old owner's vote recorded after the sale (staff did not know yet) is not the new owner's.
    VoteChange.objects.create(household=flat, before="agree", after="agree", changed_at=datetime(2026, 1, 11, 9, tzinfo=tz))
    assert consent_on(unit, date(2026, 1, 9)).consent.agree == 8
    assert consent_on(unit, date(2026, 1, 10)).consent.agree == 7
    assert consent_on(unit, date(2026, 1, 13)).consent.agree == 7
    flat.refresh_from_db()  # the owner changed: a vote on the old read is stale
    services.vote_record(household=flat, value="agree", by=world.users["staff"])
    assert consent_on(unit, timezone.localdate()).consent.agree == 8
    assert consent_on(unit, date(2026, 1, 13)).consent.agree == 7


def test_the_day_rule_by_hand():
    tz = timezone.get_current_timezone()
    at = lambda d: datetime(2026, 1, d, 12, tzinfo=tz)  # noqa: E731
    changes = [
        campaign.VoteEntry(at(2), date(2026, 1, 2), "undecided", "oppose"),
        campaign.VoteEntry(at(8), date(2026, 1, 8), "oppose", "undecided"),  # the transfer's closing entry
        campaign.VoteEntry(at(9), date(2026, 1, 9), "undecided", "agree"),
    ]
    sale = campaign.TransferEntry(date(2026, 1, 5), at(8), "甲", "13900000001", "乙", "13900000002")
    holder = lambda day: campaign.holder_on(day, [sale], "乙", "13900000002")  # noqa: E731
    assert holder(date(2026, 1, 4))[:2] == ("甲", "13900000001")
    assert holder(date(2026, 1, 5))[:2] == ("乙", "13900000002")
    vote = lambda day: campaign.vote_on(day, changes, *holder(day)[2:], current="agree")  # noqa: E731
    assert [vote(date(2026, 1, d)) for d in (1, 2, 4, 5, 7, 8, 9)] == [
        "undecided", "oppose", "oppose", "undecided", "undecided", "undecided", "agree",
    ]


def test_the_new_owner_is_put_on_the_visit_list(world):
    estate = world.estate.name
    unit = make_unit(world.community, estate=estate, building="3", unit="1")
    flats = add_flats(unit, ["agree"] * 7 + ["oppose"] * 3 + ["undecided"] * 2, owner_prefix="丙")
    _transfer(world, flats[0], on=timezone.localdate() - timedelta(days=1))
    listing = visit_list(Unit.objects.visible_to(world.users["staff"]).for_listing())
    rows = {row.household.pk: row for row in listing.rows}
    assert flats[0].pk in rows
    assert rows[flats[0].pk].new_owner_since == timezone.localdate() - timedelta(days=1)
    assert rows[flats[8].pk].new_owner_since is None


def test_after_signing_the_flat_keeps_its_signature_and_payments_and_the_new_owner_is_to_be_told(world, login):
    unit = world.unit
    signed_plan_for(unit, stage=Stage.APPROVAL)
    flat = Household.objects.get(pk=world.flats[0].pk)
    signatures = list(flat.signatures.values_list("pk", flat=True))
    ledger = LedgerEntry.objects.filter(household=flat).count()
    transfer = _transfer(world, flat)
    assert transfer.after_signing and transfer.told_at is None
    assert list(flat.signatures.values_list("pk", flat=True)) == signatures
    assert LedgerEntry.objects.filter(household=flat).count() == ledger
    client = login(world.users["staff"])
    page = client.get(reverse("unit_detail", args=[unit.pk])).content.decode()
    assert "新业主待告知" in page and "新业主" in page
    response = client.post(reverse("owner_transfer_told", args=[flat.pk]))
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.told_at is not None and transfer.told_by == world.users["staff"]
    assert "新业主待告知" not in client.get(reverse("unit_detail", args=[unit.pk])).content.decode()


def test_before_signing_nobody_is_to_be_told(world, login):
    at_stage(world.unit, Stage.CONSULTATION)
    transfer = _transfer(world)
    assert not transfer.after_signing
    page = login(world.users["staff"]).get(reverse("unit_detail", args=[world.unit.pk])).content.decode()
    assert "新业主待告知" not in page


def test_the_transfer_page_records_it(world, login):
    flat = world.flats[2]
    client = login(world.users["staff"])
    url = reverse("owner_transfer", args=[flat.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"transferred_on": timezone.localdate().isoformat(), "new_name": " 王五 ", "new_phone": "13700000007"})
    assert response.status_code == 302
    flat.refresh_from_db()
    assert flat.owner_name == "王五"
    assert client.post(url, {"transferred_on": "", "new_name": ""}).status_code == 422
    history = client.get(reverse("household_vote", args=[flat.pk])).content.decode()
    assert "过户" in history


@pytest.mark.parametrize("persona", sorted(WRITES_THE_UNIT))
def test_who_may_record_a_transfer(world, login, persona):
    flat = world.flats[3]
    client = login(world.users[persona])
    data = {"transferred_on": timezone.localdate().isoformat(), "new_name": "赵六", "new_phone": ""}
    assert client.post(reverse("owner_transfer", args=[flat.pk]), data).status_code == WRITES_THE_UNIT[persona]
    assert client.post(reverse("owner_transfer_told", args=[flat.pk])).status_code == WRITES_THE_UNIT[persona]


def test_a_transfer_takes_the_old_owners_certificate_institution_and_same_owner_decisions_with_it(world):
    flat, other = world.flats[9], world.flats[10]
    Household.objects.filter(pk=flat.pk).update(id_hash="a" * 64, id_last4="123X", institution="某机械厂")
    flat.refresh_from_db()
    same_owner_decide(unit=world.unit, first=flat, second=other, same=True, by=world.users["staff"])
    _transfer(world, flat)
    flat.refresh_from_db()
    assert (flat.id_hash, flat.id_last4, flat.institution) == ("", "", "")
    assert not SameOwnerDecision.objects.exists()
    roster = {c.field: (c.before, c.after) for c in HouseholdChange.objects.filter(household=flat, source="transfer")}
    assert roster["id_hash"] == ("****123X", "") and roster["institution"] == ("某机械厂", "")
    assert roster["same_owner"][1] == "" and other.room in roster["same_owner"][0]
    assert HouseholdChange.objects.filter(household=other, field="same_owner", source="transfer", after="").exists()
