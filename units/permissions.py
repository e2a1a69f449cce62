"""Who may see and do what: the one module every view, export and template tag asks.

Two questions, always in this order:

1. **Scope** — which objects a user covers. ``Unit.objects.visible_to`` (units/models.py) gives the
   units: a district official's district (every street of it), a street leader's or street viewer's street, community staff's community, a unit leader's
   own units, a company's assigned units. Every object is reached through it; outside it → 404.
2. **Role** — what the user may do with what they cover (the README's Roles table), read from the
   user's properties (retrofit/models.py): ``is_company``, ``is_staff_role``, ``can_edit``,
   ``can_see_roster``, ``can_see_money``, ``can_see_names``, ``can_see_phones``.

   * The roster — households, votes, contacts, holdouts, rounds, notices, objections, the visit list,
     the support pattern, meetings, the dashboard, public links and codes, every export — is closed to
     companies. So is the money: each household's share, payments, arrears, contract signatures,
     running costs, upkeep charges. A page a role may never open answers 403 whatever the id, so the
     answer says nothing about which objects exist.
   * Writes need a staff role (street leader, community staff): a viewer and a district official only read,
     and see names and phones masked; works records have their own editors
     (``SECTION_EDITORS``).
   * A unit leader sees a meeting only where it concerns one of their units, and then only that part
     (``meeting_part``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from retrofit.models import STAFF_ROLES, Role
from units.models import Building, Community, District, Estate, Household, Street, Unit

READ_ONLY = _("Your role can read this page but not change it.")
ROSTER_DENIED = _("Your role does not see the residents' roster, votes, consultation or meetings.")
MONEY_DENIED = _("Your role does not see the households' shares, payments or charges.")
SECTION_READ_ONLY = _("Your role can read this section but not change it.")
MEETING_EDITORS_ONLY = _("Only the street's leadership can change a street-wide meeting.")


# --- role checks (403) --------------------------------------------------------------------------------


def require_editor(user) -> None:
    if not user.can_edit:
        raise PermissionDenied(READ_ONLY)


def require_roster(user) -> None:
    if not user.can_see_roster:
        raise PermissionDenied(ROSTER_DENIED)


def require_money(user) -> None:
    if not user.can_see_money:
        raise PermissionDenied(MONEY_DENIED)


def _role_required(require):
    """A view decorator (put under ``login_required``) that runs ``require`` on the user first: 403 for
    roles that never see the page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


roster_required = _role_required(require_roster)  # a page of the roster
money_required = _role_required(require_money)  # a page of the households' money


def money_view(*methods: str):
    """The decorators every money page wears, in their order: signed in, the HTTP ``methods`` it answers
    (any when none are named), then a role that sees money (403 otherwise)."""

    def decorator(view):
        view = money_required(view)
        if methods:
            view = require_http_methods(list(methods))(view)
        return login_required(view)

    return decorator


# --- objects in scope (404) ---------------------------------------------------------------------------


def visible_units(user):
    return Unit.objects.visible_to(user)


def get_unit_for_user(user, pk: int) -> Unit:
    return get_object_or_404(visible_units(user).for_listing(), pk=pk)


def get_rw_unit_for_user(user, pk: int) -> Unit:
    unit = get_unit_for_user(user, pk)
    require_editor(user)
    return unit


def get_unit_for_request(request, pk: int) -> Unit:
    """The unit of a page that shows it on GET and changes it on POST: 404 outside the user's units,
    and 403 for a POST by a role that only reads."""
    return (get_rw_unit_for_user if request.method == "POST" else get_unit_for_user)(request.user, pk)


def get_estate_for_user(user, pk: int) -> Estate:
    return get_object_or_404(Estate.objects.visible_to(user).select_related("community__street"), pk=pk)


def get_community_for_user(user, pk: int) -> Community:
    return get_object_or_404(
        Community.objects.filter(pk__in=visible_units(user).values("building__estate__community")).select_related(
            "street"
        ),
        pk=pk,
    )


def get_household_for_user(user, pk: int) -> Household:
    return get_object_or_404(
        Household.objects.filter(unit__in=visible_units(user))
        .select_related("unit__building__estate__community__street")
        .select_related("vote"),
        pk=pk,
    )


def get_rw_household_for_user(user, pk: int) -> Household:
    household = get_household_for_user(user, pk)
    require_editor(user)
    return household


# --- a scope at a level: the dashboard, the exports, the report ------------------------------------------

# level → (model, the unit field that reaches it, what to select with it)
LEVELS = {
    "district": (District, "building__estate__community__street__district", ()),
    "street": (Street, "building__estate__community__street", ("district",)),
    "community": (Community, "building__estate__community", ("street__district",)),
    "estate": (Estate, "building__estate", ("community__street__district",)),
    "building": (Building, "building", ("estate__community__street__district",)),
}
# The levels a unit list, an export or a report is drawn up for; the district has its own dashboard.
STREET_LEVELS = ("street", "community", "estate", "building")


def scope_at_level(user, level: str, pk, *, levels=STREET_LEVELS):
    """The district, street, community, estate or building ``pk`` and the user's units in it.

    404 for a level not among ``levels``, an unknown object, or one holding none of the user's units.
    """
    if level not in levels or level not in LEVELS:
        raise Http404
    model, path, select = LEVELS[level]
    obj = get_object_or_404(model.objects.select_related(*select), pk=pk)
    units = visible_units(user).filter(**{path: obj})
    if not units.exists():
        raise Http404
    return obj, units


def covers_whole(user, level: str, obj) -> bool:
    """Whether the user's scope is the whole of a district, street or community (the report to the district is
    drafted only by those who cover all of it: the district's officials, a street's leaders or viewers, a
    community's staff)."""
    if user.is_superuser:
        return True
    if level == "district":
        return user.district_id == obj.pk
    if level == "street":
        return user.street_id == obj.pk or _in_district(user, obj)
    if level == "community":
        return user.street_id == obj.street_id or user.community_id == obj.pk or _in_district(user, obj.street)
    return False


def _in_district(user, street) -> bool:
    return bool(user.district_id) and user.district_id == street.district_id


# --- meetings -----------------------------------------------------------------------------------------


def meeting_scope(user):
    """(street, communities) for a street leader; (None, their community) for community staff, who hold
    meetings of their own community only; (None, all communities) for a superuser."""
    if user.street_id:
        return user.street, Community.objects.filter(street_id=user.street_id).order_by("name")
    if user.community_id:
        return None, Community.objects.filter(pk=user.community_id).select_related("street")
    if user.is_superuser:
        return None, Community.objects.select_related("street").order_by("street__name", "name")
    return None, Community.objects.none()


def require_meeting_editor(user, meeting) -> None:
    """Street leaders edit their street's meetings; community staff only their own community's."""
    require_editor(user)
    if user.is_superuser or user.street_id == meeting.street_id:
        return
    if user.community_id and user.community_id == meeting.community_id:
        return
    raise PermissionDenied(MEETING_EDITORS_ONLY)


def sees_whole_meetings(user) -> bool:
    """District, street and community users read whole meetings; a unit leader only the part about their units."""
    return user.is_superuser or bool(user.district_id or user.street_id or user.community_id)


@dataclass(frozen=True)
class MeetingPart:
    """What of a meeting a user reads: ``unit_ids`` None means everything.

    For a unit leader: the units of the meeting and the action items that name one of their units (or
    that they own), and the minutes, decisions and attendees only when every unit the meeting is about
    is one of theirs — a meeting about several units records the others' business too.
    """

    unit_ids: frozenset | None
    text: bool

    @property
    def whole(self) -> bool:
        return self.unit_ids is None

    def units(self, units):
        return units if self.whole else [u for u in units if u.pk in self.unit_ids]

    def items(self, items, user):
        if self.whole:
            return items
        return items.filter(Q(units__in=self.unit_ids) | Q(owner=user)).distinct()


def meeting_part(user, meeting_unit_ids) -> MeetingPart:
    if sees_whole_meetings(user):
        return MeetingPart(unit_ids=None, text=True)
    own = frozenset(user.led_units.values_list("pk", flat=True))
    about = set(meeting_unit_ids)
    return MeetingPart(unit_ids=own, text=bool(about) and about <= own)


# --- works records --------------------------------------------------------------------------------------

APPROVAL = "approval"
CONSTRUCTION = "construction"
ACCEPTANCE = "acceptance"
SUBSIDY = "subsidy"
UPKEEP = "upkeep"

# Approval, construction (and its log), acceptance: staff and the companies assigned to the unit; the
# subsidy payment: staff; upkeep (registration, maintenance visits, inspections, charges): staff and
# the unit's leaders.
SECTION_EDITORS = {
    APPROVAL: STAFF_ROLES | {Role.COMPANY},
    CONSTRUCTION: STAFF_ROLES | {Role.COMPANY},
    ACCEPTANCE: STAFF_ROLES | {Role.COMPANY},
    SUBSIDY: STAFF_ROLES,
    UPKEEP: STAFF_ROLES | {Role.UNIT_LEADER},
}


def can_see_upkeep(user) -> bool:
    """Upkeep lists households and what they owe: money, so not for companies."""
    return user.can_see_money


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
    return True


def editable_sections(user, unit: Unit) -> set[str]:
    return {section for section in SECTION_EDITORS if can_edit_section(user, section, unit)}


def get_works_unit_for_user(user, pk: int, section: str = CONSTRUCTION) -> Unit:
    """The unit, for writing ``section``: 404 outside the user's units, 403 if their role may not."""
    unit = get_unit_for_user(user, pk)
    if not can_edit_section(user, section, unit):
        raise PermissionDenied(SECTION_READ_ONLY)
    return unit
