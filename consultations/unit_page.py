"""The consultation's panels on the unit and estate pages (registered into units/panels.py from apps.py).

On the unit page: the consent figures, the floor grid coloured by vote, the consultation panel, the
household roster with votes, and the vote sheet. They share one read of the households with their
votes and holdouts (``shared["households"]``) and one count of consent from it (``shared["consent"]``),
which the stage panel's guard reuses too. On the estate page: the units with their consent figures and
the support pattern; on the home page, each estate's households and ready units.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from retrofit.ordering import natural_key
from units import panels
from units.models import Stage

from . import rules, situations
from .models import VoteValue
from .selectors import (
    consent_by_unit,
    current_vote,
    evaluate_unit,
    households_for_unit_page,
    open_same_owner_pairs,
    owners_to_tell,
    same_owner_decisions,
    store_missing_tallies,
    street_policy,
    support_pattern,
    unit_panel,
)

# --- the unit page --------------------------------------------------------------------------------


def _households(request, unit, shared):
    households = households_for_unit_page(unit)
    for household in households:
        household.current_vote = current_vote(household)
    return households


def _decisions(request, unit, shared):
    return same_owner_decisions([unit.pk])[unit.pk]


def _consent(request, unit, shared):
    return evaluate_unit(unit, shared["households"], shared["same_owner_decisions"])


def _same_owner_panel(request, unit, shared):
    """The pairs of flats that may hold one owner, for a person to decide (docs/rules.md); none: no panel."""
    pairs = open_same_owner_pairs(shared["households"], shared["same_owner_decisions"])
    if not pairs:
        return None
    return {"pairs": pairs, "unit": unit, "can_edit": request.user.can_edit}


def floor_grid(unit, households):
    """Floors top to bottom, each a list of its flats; empty floors stay in the grid so gaps show."""
    by_floor = defaultdict(list)
    for household in households:
        by_floor[household.floor].append(household)
    top = max([unit.building.floors, *by_floor.keys()])
    return [(floor, sorted(by_floor.get(floor, []), key=lambda h: natural_key(h.room))) for floor in range(top, 0, -1)]


def _grid(request, unit, shared):
    return floor_grid(unit, shared["households"])


def _figures_panel(request, unit, shared):
    return {"result": shared["consent"], "policy": street_policy(unit.street), "situations": situations}


def _grid_panel(request, unit, shared):
    return {"grid": shared["grid"], "can_edit": request.user.can_edit, "vote_choices": VoteValue.choices}


def _roster_panel(request, unit, shared):
    return {"grid": shared["grid"]}


def consultation_panel(user, unit, households=None, result=None, decisions=None) -> dict:
    """The consultation panel's context: 6 queries (7 with a notice) given the households, the same-owner
    decisions and the count."""
    in_consultation = unit.stage in Stage.CONSULTING
    return {
        "panel": unit_panel(unit, households=households, result=result, decisions=decisions),
        "unit": unit,
        "can_edit": user.can_edit,
        "can_open_round": in_consultation and unit.eligible,
        "in_consultation": in_consultation,
        "Stage": Stage,
    }


def _consultation_panel(request, unit, shared):
    return consultation_panel(request.user, unit, shared["households"], shared["consent"], shared["same_owner_decisions"])


def _owners_to_tell_panel(request, unit, shared):
    """新业主待告知: flats that changed owner after signing, until staff mark the new owner told. Before
    signing there is nothing to tell (a unit sent back from signing shows it again when signing resumes),
    and no query is made."""
    if unit.stage in Stage.before(Stage.SIGNING):
        return None
    pending = owners_to_tell(unit)
    return {"transfers": pending, "unit": unit, "can_edit": request.user.can_edit} if pending else None


def _vote_sheet(request, unit, shared):
    # The sheet drawn on the phone when a flat is tapped without signal (static/js/offline.js).
    return {"vote_choices": VoteValue.choices}


def live_context(request, unit) -> dict:
    """What a vote changes on the unit page (units/includes/_unit_live.html, sent back out-of-band)."""
    shared = panels.UNIT_PAGE.shared(request, unit)
    return {
        "unit": unit,
        "step": shared["next_step"],  # a vote may reach consent, or lose it: the next step follows
        **_figures_panel(request, unit, shared),
        **_grid_panel(request, unit, shared),
        **_roster_panel(request, unit, shared),
    }


# --- the estate page and the home page -------------------------------------------------------------


def _estate_units(request, estate, shared):
    units = shared["units"]
    consents = consent_by_unit(units)
    rows = [(unit, consents[unit.pk]) for unit in units]
    counts = defaultdict(int)
    for _unit, result in rows:
        if result.ok and result.consent.situation:
            counts[result.consent.situation] += 1
    return {"rows": rows, "situation_counts": dict(counts), "situations": situations}


def support_panel(units, estate) -> dict:
    """The estate's support pattern (one query); ``units`` is the user's queryset of its units."""
    return {"pattern": support_pattern(units), "estate": estate}


def _estate_support(request, estate, shared):
    return support_panel(shared["unit_queryset"], estate)


def estate_figures(units) -> dict[int, dict[str, int]]:
    """Households and ready units per estate, for the home page's estate cards: one GROUP BY over the
    stored tallies of ``units`` (a queryset), whatever their number."""
    store_missing_tallies(units)
    rows = (
        units.values("building__estate")
        .annotate(households=Coalesce(Sum("tally__households"), 0), ready=Count("pk", filter=Q(tally__situation=rules.READY)))
        .order_by()
    )
    return {row.pop("building__estate"): row for row in rows}


def register() -> None:
    page = panels.UNIT_PAGE
    page.provide("households", _households)
    page.provide("same_owner_decisions", _decisions)
    page.provide("consent", _consent)
    page.provide("grid", _grid)
    page.register(panels.Panel("consent_figures", 10, "units/includes/_consent_card.html", _figures_panel, slot="top"))
    page.register(panels.Panel("same_owner", 20, "consultations/includes/_same_owner.html", _same_owner_panel, slot="top"))
    page.register(panels.Panel("floor_grid", 10, "units/includes/_floor_grid.html", _grid_panel, slot="grid"))
    page.register(panels.Panel("owners_to_tell", 5, "consultations/includes/_owners_to_tell.html", _owners_to_tell_panel))
    page.register(panels.Panel("consultation", 10, "consultations/includes/_unit_panel.html", _consultation_panel))
    page.register(panels.Panel("roster", 10, "units/includes/_roster.html", _roster_panel, slot="bottom"))
    page.register(panels.Panel("vote_sheet", 10, "consultations/includes/_vote_sheet.html", _vote_sheet, slot="after"))
    estate = panels.ESTATE_PAGE
    estate.register(panels.Panel("units", 10, "consultations/includes/_estate_units.html", _estate_units, slot="top"))
    estate.register(panels.Panel("support", 20, "consultations/includes/_support_pattern.html", _estate_support, slot="bottom"))
    panels.register_estate_figures(estate_figures)
