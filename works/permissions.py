"""Who may write which works records: 404 outside the user's units, 403 for a section their role may not edit.

Scope comes from ``Unit.objects.visible_to`` (a company user sees only the units assigned to its
company). Within scope, each section has its editors:

* approval, construction (and its log), acceptance: street and community staff, and the companies
  assigned to the unit;
* the subsidy payment: street and community staff;
* upkeep (registration, maintenance visits, inspections, charges): staff and the unit's leaders.

Company users do not see upkeep at all: it lists households and what they owe.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from retrofit.models import Role
from retrofit.permissions import get_unit_for_user
from units.models import Unit

APPROVAL = "approval"
CONSTRUCTION = "construction"
ACCEPTANCE = "acceptance"
SUBSIDY = "subsidy"
UPKEEP = "upkeep"

STAFF = frozenset({Role.STREET_LEADER, Role.COMMUNITY_STAFF})
SECTION_EDITORS = {
    APPROVAL: STAFF | {Role.COMPANY},
    CONSTRUCTION: STAFF | {Role.COMPANY},
    ACCEPTANCE: STAFF | {Role.COMPANY},
    SUBSIDY: STAFF,
    UPKEEP: STAFF | {Role.UNIT_LEADER},
}

SECTION_READ_ONLY = _("Your role can read this section but not change it.")


def can_see_upkeep(user) -> bool:
    return not user.company_id


def can_edit_section(user, section: str, unit: Unit | None = None) -> bool:
    """Whether ``user`` may write ``section`` of a unit they can already see.

    A unit leader edits upkeep only for the units they lead, even if their account also carries a
    street or community scope.
    """
    if user.is_superuser:
        return True
    if user.role not in SECTION_EDITORS[section]:
        return False
    if user.role == Role.UNIT_LEADER and unit is not None:
        return unit.leaders.filter(pk=user.pk).exists()
    if user.role == Role.COMPANY:
        return bool(user.company_id)
    return True


def editable_sections(user, unit: Unit) -> set[str]:
    return {section for section in SECTION_EDITORS if can_edit_section(user, section, unit)}


def get_works_unit_for_user(user, pk: int, section: str = CONSTRUCTION) -> Unit:
    """The unit, for writing ``section``: 404 outside the user's units, 403 if their role may not."""
    unit = get_unit_for_user(user, pk)
    if not can_edit_section(user, section, unit):
        raise PermissionDenied(SECTION_READ_ONLY)
    return unit
