"""Plans, signed plans and acceptance for the residents', payments and reminders tests."""

from datetime import date
from decimal import Decimal

from units import contracts, plans
from units.models import Household, Stage, Unit
from works.models import AcceptanceCheck


def households(unit):
    return list(Household.objects.filter(unit=unit).order_by("-floor", "room"))


def at_stage(unit, stage):
    Unit.objects.filter(pk=unit.pk).update(stage=stage)
    unit.refresh_from_db()
    return unit


def plan_for(unit, total="600000", base=None, reliefs=None):
    """Save the unit's next plan version (the street's default coefficients, the policy subsidy)."""
    draft = plans.draft_for(unit, households(unit))
    draft.total_cost = Decimal(total)
    draft.reliefs = reliefs or {}
    return plans.plan_save(unit=unit, draft=draft, by=None, base_version=base)


def signed_plan_for(unit, total="600000", stage=Stage.APPROVAL):
    """A plan frozen by a contract, with the unit left in ``stage``."""
    plan = plan_for(unit, total)
    at_stage(unit, Stage.SIGNING)
    contracts.contract_start(unit=unit, by=None)
    at_stage(unit, stage)
    plan.refresh_from_db()
    return plan


def shares(plan):
    """Household pk → share, from the stored rows."""
    return {s.household_id: s.amount for s in plan.shares.all()}


def pass_acceptance(unit, on=date(2026, 5, 10)):
    for level in ("supervisory", "district", "city"):
        AcceptanceCheck.objects.create(unit=unit, level=level, result="pass", date=on, inspector="检验员")
