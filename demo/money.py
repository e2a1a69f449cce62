"""The demo's money and the residents' side: payments into each signed unit's account, the community
workers' public contact, and a public link (QR) for every unit in notice or later."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from payments.models import Fund, Method
from payments.services import payment_record
from residents.services import community_contact_save, public_link_ensure
from retrofit.models import User
from units.models import Community, Contract, Stage, Unit
from units.selectors import shares_by_household

CONTACTS = {"绵纺社区": ("李干事", "028-8765 4321"), "光华社区": ("赵干事", "028-8765 1234")}


def seed_money(rng) -> None:
    staff = User.objects.get(username="staff")
    today = timezone.localdate()
    for community in Community.objects.all():
        name, phone = CONTACTS.get(community.name, ("社区工作人员", "028-8765 0000"))
        community_contact_save(
            community=community, name=name, phone=phone, office="社区党群服务中心一楼", hours="工作日 9:00–17:30", by=staff
        )
    for unit in Unit.objects.filter(stage__in=[Stage.NOTICE, Stage.SIGNING, Stage.APPROVAL, Stage.CONSTRUCTION,
                                              Stage.ACCEPTANCE, Stage.IN_SERVICE, Stage.UPKEEP]):
        public_link_ensure(unit=unit, by=staff)
    receipt = 1000
    for contract in Contract.objects.select_related("unit").order_by("unit_id"):
        unit = contract.unit
        shares = shares_by_household([unit])
        start = contract.signed_on or (today - timedelta(days=60))
        # Units being built or later have collected everything but a few; the unit still signing has
        # collected from about half of its households.
        share_paying = Decimal("0.5") if unit.stage == Stage.SIGNING else Decimal("0.9")
        for household in unit.households.order_by("pk"):
            amount = shares.get(household.pk, Decimal("0"))
            if amount <= 0 or Decimal(str(rng.random())) > share_paying:
                continue
            receipt += 1
            on = min(today, start + timedelta(days=rng.randrange(1, 30)))
            payment_record(
                household=household,
                amount=amount,
                on=on,
                method=rng.choice([Method.BANK, Method.BANK, Method.MOBILE, Method.CASH]),
                fund=Fund.OWN,
                receipt_no=f"JT{unit.pk:03d}-{receipt}",
                by=staff,
            )
