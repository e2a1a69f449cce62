"""Meetings 例会, 协调会, 坝坝会, 现场答疑会 with minutes, decisions and action items; each user's own items."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from retrofit.formflow import posted, submit
from retrofit.params import int_param
from units.models import Unit
from units.permissions import (
    get_unit_for_user,
    meeting_part,
    meeting_scope,
    require_editor,
    require_meeting_editor,
    sees_whole_meetings,
)

from .. import forms
from ..models import LEADERSHIP_KINDS, ActionItem, ConsultationRound, Meeting, MeetingKind, RoundStatus
from ..selectors import action_owners_for
from ..services import meetings
from .scope import meeting_for, next_url, roster_form, roster_page, roster_post, units_of


def _meeting_units(user, street=None, community=None):
    units = units_of(user).for_listing()
    if community is not None:
        units = units.filter(building__estate__community=community)
    elif street is not None:
        units = units.filter(building__estate__community__street=street)
    return units.order_by("building__estate__name", "building__number", "number")


@roster_page
@require_safe
def meeting_list(request):
    today = timezone.localdate()
    # A unit leader's list names only their units and counts only the items about them (meeting_part).
    shown_units = Unit.objects.select_related("building__estate")
    items = Q()
    if not sees_whole_meetings(request.user):
        led = request.user.led_units.values("pk")
        shown_units = shown_units.filter(pk__in=led)
        items = Q(action_items__units__in=led) | Q(action_items__owner=request.user)
    meetings = (
        Meeting.objects.visible_to(request.user)
        .select_related("street", "community")
        .prefetch_related(Prefetch("units", queryset=shown_units))
        .annotate(
            open_items=Count("action_items", filter=items & Q(action_items__done=False), distinct=True),
            overdue_items=Count(
                "action_items",
                filter=items & Q(action_items__done=False, action_items__due_on__lt=today),
                distinct=True,
            ),
        )
    )
    group = request.GET.get("group", "")
    if group == "leadership":
        meetings = meetings.filter(kind__in=LEADERSHIP_KINDS)
    elif group == "residents":
        meetings = meetings.exclude(kind__in=LEADERSHIP_KINDS)
    meetings = list(meetings.order_by("-held_on", "-starts_at", "-id")[:200])
    upcoming = sorted((m for m in meetings if m.held_on >= today), key=lambda m: (m.held_on, m.starts_at or 0))
    past = [m for m in meetings if m.held_on < today]
    rounds = ConsultationRound.objects.filter(unit__in=units_of(request.user)).select_related(
        "unit__building__estate", "held_by"
    )
    return render(
        request,
        "consultations/meeting_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "group": group,
            "today": today,
            "on_hold": list(rounds.filter(status=RoundStatus.ON_HOLD).order_by("held_at")),
            "overdue": list(rounds.overdue(today).order_by("deadline")),
            "can_create": request.user.can_edit and meeting_scope(request.user)[1].exists(),
        },
    )


@roster_form
def meeting_new(request):
    require_editor(request.user)
    street, communities = meeting_scope(request.user)
    units = _meeting_units(request.user, street=street)
    initial = {"held_on": timezone.localdate(), "kind": request.GET.get("kind", MeetingKind.REGULAR)}
    if int_param(request.GET, "unit"):
        unit = get_unit_for_user(request.user, int_param(request.GET, "unit"))
        initial["units"] = [unit.pk]
        initial["community"] = unit.building.estate.community_id
        if initial["kind"] == MeetingKind.QA:
            current = ConsultationRound.objects.current().filter(unit=unit).first()
            if current is not None and current.deadline >= timezone.localdate():
                # Before the deadline, which is the point of the meeting.
                initial["held_on"] = min(max(timezone.localdate(), current.opened_on), current.deadline)
            initial["place"] = _("Yard of %(estate)s") % {"estate": unit.building.estate.name}
    form = forms.MeetingForm(
        posted(request), initial=initial, communities=communities, units=units,
        community_required=bool(request.user.community_id),
    )

    def save(data):
        meeting_street = street or (data["community"].street if data["community"] else None)
        if meeting_street is None:
            raise ValidationError({"community": _("Choose the community.")})
        return meetings.meeting_save(street=meeting_street, by=request.user, **data)

    return submit(
        request, form, save, done=lambda meeting: _meeting_saved(request, meeting), page=_meeting_page(request, _("New meeting"))
    )


@roster_form
def meeting_edit(request, pk):
    meeting = meeting_for(request.user, pk)
    require_meeting_editor(request.user, meeting)
    street, communities = meeting_scope(request.user)
    units = _meeting_units(request.user, street=meeting.street)
    initial = {
        "kind": meeting.kind,
        "community": meeting.community_id,
        "held_on": meeting.held_on,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "attendees": meeting.attendees,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "units": list(meeting.units.values_list("pk", flat=True)),
    }
    form = forms.MeetingForm(
        posted(request), initial=initial, communities=communities, units=units,
        community_required=bool(request.user.community_id),
    )

    def save(data):
        return meetings.meeting_save(meeting=meeting, street=meeting.street, by=request.user, **data)

    return submit(
        request, form, save, done=lambda saved: _meeting_saved(request, saved),
        page=_meeting_page(request, _("Edit meeting"), meeting=meeting),
    )


def _meeting_page(request, title, **context):
    def page(form, status):
        return render(request, "consultations/meeting_form.html", {"form": form, "title": title, **context}, status=status)

    return page


def _meeting_saved(request, meeting):
    messages.success(request, _("Meeting saved."))
    return redirect("meeting_detail", pk=meeting.pk)


def _action_form(request, meeting, data=None):
    return forms.ActionItemForm(
        data,
        initial={"due_on": timezone.localdate() + timedelta(days=7), "owner": request.user.pk},
        owners=action_owners_for(meeting.street).order_by("username"),
        units=_meeting_units(request.user, street=meeting.street, community=meeting.community),
    )


@roster_page
def meeting_detail(request, pk):
    meeting = meeting_for(request.user, pk)
    units = list(meeting.units.select_related("building__estate").order_by("building__number", "number"))
    part = meeting_part(request.user, [u.pk for u in units])
    items = part.items(meeting.action_items.all(), request.user).select_related("owner", "done_by").prefetch_related(
        Prefetch("units", queryset=Unit.objects.select_related("building"))
    )
    can_change = request.user.can_edit
    if can_change:
        try:
            require_meeting_editor(request.user, meeting)
        except PermissionDenied:
            can_change = False
    return render(
        request,
        "consultations/meeting_detail.html",
        {
            "meeting": meeting,
            "units": part.units(units),
            "items": items,
            "show_text": part.text,
            "today": timezone.localdate(),
            "can_change": can_change,
            "action_form": _action_form(request, meeting) if can_change else None,
        },
    )


@roster_post
def action_item_new(request, pk):
    meeting = meeting_for(request.user, pk)
    require_meeting_editor(request.user, meeting)
    form = _action_form(request, meeting, request.POST)
    if form.is_valid():
        try:
            meetings.action_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Action item added."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("meeting_detail", pk=meeting.pk)


@roster_post
def action_item_done(request, pk):
    """Tick an item done (or not): its owner may, whatever their role, and so may the meeting's editors."""
    item = get_object_or_404(
        ActionItem.objects.filter(Q(meeting__in=Meeting.objects.visible_to(request.user)) | Q(owner=request.user))
        .select_related("meeting")
        .distinct(),
        pk=pk,
    )
    if item.owner_id != request.user.pk:
        require_meeting_editor(request.user, item.meeting)
    meetings.action_item_set_done(item=item, done=request.POST.get("done") == "1", by=request.user)
    return redirect(next_url(request, reverse("meeting_detail", args=[item.meeting_id])))


@roster_page
@require_safe
def my_action_items(request):
    today = timezone.localdate()
    items = list(
        ActionItem.objects.filter(owner=request.user, done=False)
        .select_related("meeting__community")
        .prefetch_related(Prefetch("units", queryset=Unit.objects.select_related("building__estate")))
        .order_by("due_on", "id")
    )
    overdue = [item for item in items if item.due_on < today]
    upcoming = [item for item in items if item.due_on >= today]
    return render(
        request, "consultations/my_action_items.html", {"overdue": overdue, "upcoming": upcoming, "today": today}
    )
