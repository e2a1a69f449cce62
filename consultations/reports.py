"""The per-unit consent status as plain data, shared by ``unit_status`` and the exports."""

from __future__ import annotations

from units.models import Unit

from .selectors import consent_by_unit

STATUS_KEYS = (
    "street", "community", "estate", "building", "unit", "stage", "households", "owners", "area_total",
    "participants", "participant_area", "agree", "agree_area", "oppose", "abstain", "undecided", "unreachable",
    "participation_met", "agreement_met", "threshold_met", "agrees_needed", "category",
)


def unit_status_rows(units) -> list[dict]:
    units = list(units)
    consents = consent_by_unit(units)
    rows = []
    for unit in units:
        building = unit.building
        estate = building.estate
        result = consents[unit.pk]
        row = {
            "street": estate.community.street.name,
            "community": estate.community.name,
            "estate": estate.name,
            "building": building.number,
            "unit": unit.number,
            "stage": unit.stage,
        }
        c = result.consent
        if c is None:
            row.update(dict.fromkeys(STATUS_KEYS[6:], None))
            row["error"] = str(result.conflict)
        else:
            row.update(
                households=c.households,
                owners=c.owners,
                area_total=f"{c.area_total:.2f}",
                participants=c.participants,
                participant_area=f"{c.participant_area:.2f}",
                agree=c.agree,
                agree_area=f"{c.agree_area:.2f}",
                oppose=c.oppose,
                abstain=c.abstain,
                undecided=c.undecided,
                unreachable=c.unreachable,
                participation_met=c.participation_met,
                agreement_met=c.agreement_met,
                threshold_met=c.threshold_met,
                agrees_needed=c.agrees_needed,
                category=c.situation,
            )
        rows.append(row)
    return rows


def units_for_status(estate: str | None = None):
    units = Unit.objects.for_listing().order_by(
        "building__estate__community__street__name",
        "building__estate__community__name",
        "building__estate__name",
        "building__number",
        "number",
    )
    if estate:
        units = units.filter(building__estate__name=estate)
    return units
