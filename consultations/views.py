"""Pages of the consultation work: rounds, the visit list, contacts, holdouts, meetings, the public notice.

Every object is reached through the user's scope (404 outside it); writes need an editing role (403).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from retrofit import documents
from retrofit.params import int_param
from retrofit.permissions import (
    get_community_for_user,
    get_estate_for_user,
    get_household_for_user,
    get_rw_unit_for_user,
    get_unit_for_user,
    meeting_part,
    meeting_scope,
    require_editor,
    require_meeting_editor,
    roster_required,
    sees_whole_meetings,
)
from units.models import Community, Household, Unit

from . import forms, services, situations
from .models import (
    LEADERSHIP_KINDS,
    ActionItem,
    ConsultationRound,
    Contact,
    Holdout,
    Meeting,
    MeetingKind,
    Notice,
    Objection,
    RoundStatus,
)
from .selectors import action_owners_for, current_vote, support_pattern, visit_list

# --- scope helpers: 404 outside the user's scope ---------------------------------------------------


def _units(user):
    return Unit.objects.visible_to(user)


def _round_for(user, pk) -> ConsultationRound:
    return get_object_or_404(
        ConsultationRound.objects.filter(unit__in=_units(user)).select_related(
            "unit__building__estate__community__street"
        ),
        pk=pk,
    )


def _notice_for(user, pk) -> Notice:
    return get_object_or_404(
        Notice.objects.filter(unit__in=_units(user)).select_related("unit__building__estate__community__street"),
        pk=pk,
    )


def _meeting_for(user, pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(user).select_related("street", "community"), pk=pk)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    # A path on this site ("/meetings/3/"); a bare word would be taken for a URL name by redirect().
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def _errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# --- visit list -------------------------------------------------------------------------------------


@login_required
@roster_required
def visits_home(request):
    """Community staff land on their community's list; others pick a community in their scope."""
    if request.user.community_id:
        return redirect("community_visits", pk=request.user.community_id)
    communities = (
        Community.objects.filter(pk__in=_units(request.user).values("building__estate__community"))
        .select_related("street")
        .order_by("street__name", "name")
    )
    if len(communities) == 1:
        return redirect("community_visits", pk=communities[0].pk)
    return render(request, "consultations/visits_home.html", {"communities": communities})


def _visit_context(request, units, **extra):
    today = timezone.localdate()
    listing = visit_list(units, today=today)
    return {"listing": listing, "today": today, "situations": situations, "can_edit": request.user.can_edit, **extra}


def _community_units(request, community):
    return list(
        _units(request.user)
        .for_listing()
        .filter(building__estate__community=community)
        .order_by("building__estate__name", "building__number", "number")
    )


@login_required
@roster_required
def community_visits(request, pk):
    community = get_community_for_user(request.user, pk)
    context = _visit_context(request, _community_units(request, community), community=community)
    context["print_url"] = reverse("community_visits_print", args=[community.pk])
    return render(request, "consultations/visit_list.html", context)


@login_required
@roster_required
def community_visits_print(request, pk):
    community = get_community_for_user(request.user, pk)
    context = _visit_context(request, _community_units(request, community), community=community)
    context["back_url"] = reverse("community_visits", args=[community.pk])
    return render(request, "consultations/visit_list_print.html", context)


@login_required
@roster_required
def unit_visits(request, pk):
    unit = get_unit_for_user(request.user, pk)
    context = _visit_context(request, [unit], unit=unit, estate=unit.building.estate)
    context["print_url"] = reverse("unit_visits_print", args=[unit.pk])
    return render(request, "consultations/visit_list.html", context)


@login_required
@roster_required
def unit_visits_print(request, pk):
    unit = get_unit_for_user(request.user, pk)
    context = _visit_context(request, [unit], unit=unit, estate=unit.building.estate)
    context["back_url"] = reverse("unit_visits", args=[unit.pk])
    return render(request, "consultations/visit_list_print.html", context)


# --- contacts ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def contact_new(request, pk):
    household = get_household_for_user(request.user, pk)
    require_editor(request.user)
    unit = household.unit
    default_next = reverse("unit_detail", args=[unit.pk])
    form = forms.ContactForm(initial={"vote": forms.VOTE_UNCHANGED})
    if request.method == "POST":
        form = forms.ContactForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contact_log(
                    household=household,
                    channel=data["channel"],
                    outcome=data["outcome"],
                    note=data["note"],
                    companions=data["companions"],
                    contacted_at=data["contacted_at"],
                    opinion_form=data["opinion_form"] or None,
                    vote=data["vote"],
                    by=request.user,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Contact with %(room)s logged.") % {"room": household.room})
                return redirect(_next_url(request, default_next))
    contacts = household.contacts.select_related("made_by").order_by("-contacted_at", "-id")[:10]
    holdout = Holdout.objects.filter(household=household).select_related("neighbour", "cadre").first()
    return render(
        request,
        "consultations/contact_form.html",
        {
            "household": household,
            "unit": unit,
            "estate": unit.building.estate,
            "form": form,
            "vote": current_vote(household),
            "contacts": contacts,
            "holdout": holdout,
            "next": _next_url(request, default_next),
        },
    )


@login_required
@roster_required
def contact_opinion_form(request, pk):
    """The signed opinion form, served only to editors who can see the household (never from /media/)."""
    contact = get_object_or_404(
        Contact.objects.filter(household__unit__in=_units(request.user)).select_related("opinion_form_version"), pk=pk
    )
    require_editor(request.user)
    if contact.opinion_form_version is None:
        raise Http404
    version = contact.opinion_form_version
    return documents.version_response(version, filename=f"opinion-form-{contact.pk}{version.extension}")


# --- rounds -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def round_open(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    today = timezone.localdate()
    form = forms.RoundForm(
        initial={"deadline": today + timedelta(days=30), "channels": ["notice", "door_to_door"]}
    )
    if request.method == "POST":
        form = forms.RoundForm(request.POST)
        if form.is_valid():
            try:
                services.round_open(
                    unit=unit,
                    deadline=form.cleaned_data["deadline"],
                    channels=form.cleaned_data["channels"],
                    hotline=form.cleaned_data["hotline"],
                    by=request.user,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Consultation round opened."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/round_form.html",
        {"form": form, "unit": unit, "estate": unit.building.estate, "title": _("Open a consultation round")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def round_edit(request, pk):
    consultation_round = _round_for(request.user, pk)
    require_editor(request.user)
    unit = consultation_round.unit
    form = forms.RoundForm(
        initial={
            "deadline": consultation_round.deadline,
            "channels": consultation_round.channels,
            "hotline": consultation_round.hotline,
        }
    )
    if request.method == "POST":
        form = forms.RoundForm(request.POST)
        if form.is_valid():
            try:
                services.round_update(
                    consultation_round=consultation_round,
                    deadline=form.cleaned_data["deadline"],
                    channels=form.cleaned_data["channels"],
                    hotline=form.cleaned_data["hotline"],
                    by=request.user,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Round updated."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/round_form.html",
        {"form": form, "unit": unit, "estate": unit.building.estate, "title": _("Change the round")},
    )


@login_required
@require_POST
@roster_required
def round_close(request, pk):
    consultation_round = _round_for(request.user, pk)
    require_editor(request.user)
    try:
        services.round_close(consultation_round=consultation_round, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Round closed."))
    return redirect("unit_detail", pk=consultation_round.unit_id)


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def round_hold(request, pk):
    consultation_round = _round_for(request.user, pk)
    require_editor(request.user)
    unit = consultation_round.unit
    form = forms.HoldForm()
    if request.method == "POST":
        form = forms.HoldForm(request.POST)
        if form.is_valid():
            try:
                services.round_hold(consultation_round=consultation_round, note=form.cleaned_data["note"], by=request.user)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("The unit is on hold for the leadership group's review."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/round_form.html",
        {"form": form, "unit": unit, "estate": unit.building.estate, "title": _("Hold for the leadership group")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def round_resume(request, pk):
    consultation_round = _round_for(request.user, pk)
    require_editor(request.user)
    unit = consultation_round.unit
    form = forms.ResumeForm(initial={"deadline": consultation_round.deadline})
    if request.method == "POST":
        form = forms.ResumeForm(request.POST)
        if form.is_valid():
            try:
                services.round_resume(
                    consultation_round=consultation_round,
                    decision=form.cleaned_data["decision"],
                    deadline=form.cleaned_data["deadline"],
                    by=request.user,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Review recorded; the round is open again."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/round_form.html",
        {
            "form": form,
            "unit": unit,
            "estate": unit.building.estate,
            "title": _("Record the leadership group's review"),
            "consultation_round": consultation_round,
        },
    )


# --- holdouts ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def holdout_edit(request, pk):
    household = get_household_for_user(request.user, pk)
    require_editor(request.user)
    unit = household.unit
    holdout = Holdout.objects.filter(household=household).first()
    initial = {}
    if holdout:
        initial = {
            "reason": holdout.reason,
            "degree": holdout.degree,
            "detail": holdout.detail,
            "relief_amount": holdout.relief_amount,
            "neighbour": holdout.neighbour_id,
            "cadre": holdout.cadre_id,
            "visit_planned_on": holdout.visit_planned_on,
        }
    form = forms.HoldoutForm(initial=initial, household=household)
    if request.method == "POST":
        form = forms.HoldoutForm(request.POST, household=household)
        if form.is_valid():
            try:
                services.holdout_save(household=household, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Holdout recorded for %(room)s.") % {"room": household.room})
                return redirect(_next_url(request, reverse("unit_detail", args=[unit.pk])))
    return render(
        request,
        "consultations/holdout_form.html",
        {
            "form": form,
            "household": household,
            "unit": unit,
            "estate": unit.building.estate,
            "vote": current_vote(household),
            "next": _next_url(request, ""),
        },
    )


# --- public notice ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def notice_start(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    today = timezone.localdate()
    current = ConsultationRound.objects.current().filter(unit=unit).first()
    form = forms.NoticeStartForm(
        initial={
            "draft_signed_on": today,
            "starts_on": today,
            "days": unit.street.notice_days,
            "contact_phone": current.hotline if current else "",
        }
    )
    if request.method == "POST":
        form = forms.NoticeStartForm(request.POST)
        if form.is_valid():
            try:
                services.notice_start(unit=unit, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Agreement draft-signed and public notice started."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/notice_form.html",
        {
            "form": form,
            "unit": unit,
            "estate": unit.building.estate,
            "title": _("Draft-sign the agreement and start the public notice"),
            "policy_days": unit.street.notice_days,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def notice_edit(request, pk):
    notice = _notice_for(request.user, pk)
    require_editor(request.user)
    unit = notice.unit
    form = forms.NoticeEditForm(
        initial={"days": notice.days, "plan_summary": notice.plan_summary, "contact_phone": notice.contact_phone}
    )
    if request.method == "POST":
        form = forms.NoticeEditForm(request.POST)
        if form.is_valid():
            try:
                services.notice_update(notice=notice, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Notice updated."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/notice_form.html",
        {
            "form": form,
            "unit": unit,
            "estate": unit.building.estate,
            "title": _("Change the public notice"),
            "notice": notice,
            "policy_days": unit.street.notice_days,
        },
    )


def notice_shares(notice: Notice) -> dict:
    """Each household's cost share once a plan fixes it: household id → Decimal yuan.

    Empty while the unit has no plan; the printout shows the share column only when there are shares.
    """
    from units.selectors import shares_by_household

    return shares_by_household([notice.unit])


NOTICE_ONE_COLUMN_MAX = 16


def _halves(items: list) -> list[list]:
    middle = (len(items) + 1) // 2
    return [items[:middle], items[middle:]]


@login_required
@roster_required
def notice_print(request, pk):
    """The notice for the stairwell and the estate board: plan, period, each flat's vote, names masked."""
    notice = _notice_for(request.user, pk)
    unit = notice.unit
    households = list(Household.objects.filter(unit=unit).select_related("vote").order_by("floor", "room"))
    from .selectors import evaluate_unit

    result = evaluate_unit(unit, households)
    for household in households:
        household.current_vote = current_vote(household)
    return render(
        request,
        "consultations/notice_print.html",
        {
            "notice": notice,
            "unit": unit,
            "estate": unit.building.estate,
            "community": unit.building.estate.community,
            "households": households,
            # A tall unit's list goes in two columns so that the notice stays on one A4 sheet.
            "flat_columns": _halves(households) if len(households) > NOTICE_ONE_COLUMN_MAX else [households],
            "result": result,
            "policy": unit.street.consent_policy,
            "shares": notice_shares(notice),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def objection_new(request, pk):
    notice = _notice_for(request.user, pk)
    require_editor(request.user)
    unit = notice.unit
    households = Household.objects.filter(unit=unit).order_by("floor", "room")
    form = forms.ObjectionForm(initial={"received_on": timezone.localdate()}, households=households)
    if request.method == "POST":
        form = forms.ObjectionForm(request.POST, households=households)
        if form.is_valid():
            try:
                services.objection_log(notice=notice, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Objection logged."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/simple_form.html",
        {"form": form, "unit": unit, "estate": unit.building.estate, "title": _("Log a written objection")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def objection_settle(request, pk):
    objection = get_object_or_404(
        Objection.objects.filter(notice__unit__in=_units(request.user)).select_related(
            "notice__unit__building__estate__community__street"
        ),
        pk=pk,
    )
    require_editor(request.user)
    unit = objection.notice.unit
    form = forms.SettleForm()
    if request.method == "POST":
        form = forms.SettleForm(request.POST)
        if form.is_valid():
            try:
                services.objection_settle(objection=objection, resolution=form.cleaned_data["resolution"], by=request.user)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Objection settled."))
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "consultations/simple_form.html",
        {
            "form": form,
            "unit": unit,
            "estate": unit.building.estate,
            "title": _("Settle the objection"),
            "objection": objection,
        },
    )


# --- meetings ---------------------------------------------------------------------------------------


def _meeting_units(user, street=None, community=None):
    units = _units(user).for_listing()
    if community is not None:
        units = units.filter(building__estate__community=community)
    elif street is not None:
        units = units.filter(building__estate__community__street=street)
    return units.order_by("building__estate__name", "building__number", "number")


@login_required
@roster_required
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
    rounds = ConsultationRound.objects.filter(unit__in=_units(request.user)).select_related(
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


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
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
    form = forms.MeetingForm(initial=initial, communities=communities, units=units, community_required=bool(request.user.community_id))
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, communities=communities, units=units, community_required=bool(request.user.community_id))
        if form.is_valid():
            data = form.cleaned_data
            meeting_street = street or (data["community"].street if data["community"] else None)
            if meeting_street is None:
                form.add_error("community", _("Choose the community."))
            else:
                try:
                    meeting = services.meeting_save(street=meeting_street, by=request.user, **data)
                except ValidationError as error:
                    _errors(form, error)
                else:
                    messages.success(request, _("Meeting saved."))
                    return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "consultations/meeting_form.html", {"form": form, "title": _("New meeting")})


@login_required
@require_http_methods(["GET", "POST"])
@roster_required
def meeting_edit(request, pk):
    meeting = _meeting_for(request.user, pk)
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
    form = forms.MeetingForm(initial=initial, communities=communities, units=units, community_required=bool(request.user.community_id))
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, communities=communities, units=units, community_required=bool(request.user.community_id))
        if form.is_valid():
            try:
                services.meeting_save(meeting=meeting, street=meeting.street, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Meeting saved."))
                return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request, "consultations/meeting_form.html", {"form": form, "meeting": meeting, "title": _("Edit meeting")}
    )


def _action_form(request, meeting, data=None):
    return forms.ActionItemForm(
        data,
        initial={"due_on": timezone.localdate() + timedelta(days=7), "owner": request.user.pk},
        owners=action_owners_for(meeting.street).order_by("username"),
        units=_meeting_units(request.user, street=meeting.street, community=meeting.community),
    )


@login_required
@roster_required
def meeting_detail(request, pk):
    meeting = _meeting_for(request.user, pk)
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


@login_required
@require_POST
@roster_required
def action_item_new(request, pk):
    meeting = _meeting_for(request.user, pk)
    require_meeting_editor(request.user, meeting)
    form = _action_form(request, meeting, request.POST)
    if form.is_valid():
        try:
            services.action_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
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


@login_required
@require_POST
@roster_required
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
    services.action_item_set_done(item=item, done=request.POST.get("done") == "1", by=request.user)
    return redirect(_next_url(request, reverse("meeting_detail", args=[item.meeting_id])))


@login_required
@roster_required
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


# --- support pattern --------------------------------------------------------------------------------


@login_required
@roster_required
def community_support(request, pk):
    community = get_community_for_user(request.user, pk)
    units = _units(request.user).filter(building__estate__community=community)
    return render(
        request,
        "consultations/support_page.html",
        {"pattern": support_pattern(units), "community": community, "title": community.name},
    )


@login_required
@roster_required
def estate_support(request, pk):
    estate = get_estate_for_user(request.user, pk)
    units = _units(request.user).filter(building__estate=estate)
    return render(
        request,
        "consultations/support_page.html",
        {"pattern": support_pattern(units), "estate": estate, "title": estate.name},
    )

