"""Writes to meetings and their action items."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ActionItem, ConsultationRound, Meeting, MeetingKind
from ..selectors import action_owners_for

# --- meetings -------------------------------------------------------------------------------------

MEETING_COMMUNITY_ELSEWHERE = _("The community is not in this street.")
MEETING_UNIT_ELSEWHERE = _("A unit linked to this meeting lies outside its street or community.")
QA_AFTER_DEADLINE = _(
    "An on-site Q&A meeting must be held by the feedback deadline of %(unit)s (%(deadline)s). "
    "Choose an earlier date or extend the round first."
)
OWNER_OUT_OF_SCOPE = _("The owner of an action item must work in this street.")


def _check_meeting_units(*, street, community, kind, held_on, units) -> None:
    for unit in units:
        unit_community = unit.building.estate.community
        if unit_community.street_id != street.pk or (community is not None and unit_community.pk != community.pk):
            raise ValidationError(MEETING_UNIT_ELSEWHERE)
    if kind == MeetingKind.QA and units:
        rounds = ConsultationRound.objects.current().filter(unit__in=units, deadline__lt=held_on)
        late = rounds.select_related("unit__building").order_by("deadline").first()
        if late is not None:
            raise ValidationError(QA_AFTER_DEADLINE % {"unit": late.unit, "deadline": f"{late.deadline:%Y-%m-%d}"})


def meeting_save(
    *,
    street,
    kind: str,
    held_on: date,
    by,
    meeting: Meeting | None = None,
    community=None,
    starts_at=None,
    place: str = "",
    attendees: str = "",
    minutes: str = "",
    decisions: str = "",
    units=(),
) -> Meeting:
    """Create or update a meeting of the leadership group or of residents, linked to the units it concerns."""
    if community is not None and community.street_id != street.pk:
        raise ValidationError(MEETING_COMMUNITY_ELSEWHERE)
    units = list(units)
    _check_meeting_units(street=street, community=community, kind=kind, held_on=held_on, units=units)
    with transaction.atomic():
        meeting = meeting or Meeting(created_by=by, created_at=timezone.now())
        meeting.street, meeting.community, meeting.kind = street, community, kind
        meeting.held_on, meeting.starts_at, meeting.place = held_on, starts_at, place.strip()
        meeting.attendees, meeting.minutes, meeting.decisions = attendees.strip(), minutes.strip(), decisions.strip()
        meeting.full_clean()
        meeting.save()
        meeting.units.set(units)
    return meeting


def action_item_add(*, meeting: Meeting, text: str, owner, due_on: date, units=(), by) -> ActionItem:
    if not action_owners_for(meeting.street).filter(pk=owner.pk).exists():
        raise ValidationError(OWNER_OUT_OF_SCOPE)
    units = list(units)
    _check_meeting_units(street=meeting.street, community=meeting.community, kind="", held_on=due_on, units=units)
    with transaction.atomic():
        item = ActionItem(meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)
        item.full_clean()
        item.save()
        item.units.set(units)
    return item


def action_item_set_done(*, item: ActionItem, done: bool, by) -> ActionItem:
    if done and not item.done:
        item.done, item.done_at, item.done_by = True, timezone.now(), by
    elif not done and item.done:
        item.done, item.done_at, item.done_by = False, None, None
    item.save(update_fields=["done", "done_at", "done_by"])
    return item
