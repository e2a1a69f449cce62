"""The residents' pages (no account: a link, and for a household a one-time code) and the staff's
controls for them: the link and its QR code, household code slips, the community's public contact.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consultations.models import VoteValue
from consultations.selectors import current_vote
from consultations.services.votes import StaleVote
from payments.selectors import household_money
from retrofit.clientip import client_ip
from retrofit.formflow import INVALID
from retrofit.masking import mask_name
from retrofit.ordering import top_floor_first
from retrofit.params import int_param
from units.models import Community, Household, Stage, Unit
from units.permissions import get_rw_unit_for_user, get_unit_for_user, require_editor, require_roster

from . import qr, selectors, services, throttle
from .forms import CodeForm, CommunityContactForm, ConfirmForm, ObjectionForm, VoteChangeForm
from .models import CommunityContact, HouseholdCode, UnitPublicLink

SESSION_KEY = "resident_household"
SLIPS_KEY = "resident_slips"
TOKEN_MAX = 64


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request):
    response = render(request, "residents/throttled.html", status=429)
    response["Retry-After"] = str(throttle.PAGE_WINDOW)
    return _no_store(response)


def _not_found(request, link: UnitPublicLink | None):
    """404 in the residents' words. A replaced or withdrawn link (a stale QR code) still tells which
    community it belonged to, so the page names that community's contact; nothing of the unit."""
    context = {}
    if link is not None:
        community = link.unit.building.estate.community
        context = {"community": community, "contact": CommunityContact.objects.filter(community=community).first()}
    return _no_store(render(request, "residents/not_found.html", context, status=404))


def public(view):
    """Find the current link by its token (404 if unknown or revoked, naming the community's contact for
    a revoked one) and count the request against the address's limit for that link (429 beyond it).
    The view gets the link instead of the token."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        link = None
        if len(token) <= TOKEN_MAX:
            link = (
                UnitPublicLink.objects.filter(token=token)
                .select_related("unit__building__estate__community__street")
                .first()
            )
        current = link if link is not None and link.is_current else None
        if not throttle.page_hit(f"page:{client_ip(request)}:{current.pk if current else '-'}"):
            return _too_many(request)
        if current is None:
            return _not_found(request, link)
        return _no_store(view(request, current, *args, **kwargs))

    return wrapper


def _public_context(link: UnitPublicLink, **extra) -> dict:
    minutes = int(services.HOUSEHOLD_SESSION.total_seconds()) // 60
    return {"link": link, "page": selectors.public_page(link.unit), "session_minutes": minutes, **extra}


RESULT = "#result"  # the page's result message (templates/residents/base_public.html): in view after every action
LARGE_TYPE_COOKIE = "resident_type"
LARGE_TYPE_AGE = 365 * 24 * 3600


def _household_url(link, anchor=RESULT) -> str:
    return reverse("resident_household", args=[link.token]) + anchor


@public
def resident_unit(request, link):
    record = _household_code(request, link)
    context = _public_context(link, code_form=CodeForm(), open_household=record)
    if record is not None:
        context["session_until"] = _session(request).until
    return render(request, "residents/unit_public.html", context)


@require_POST
@public
def resident_code(request, link):
    form = CodeForm(request.POST)
    status = INVALID
    if form.is_valid():
        try:
            record = services.household_code_redeem(unit=link.unit, code=form.cleaned_data["code"], ip=client_ip(request))
        except services.CodeRefused as error:
            refused = error
            form.add_error("code", refused.message)
            status = 429 if refused.throttled else INVALID
        else:
            request.session.cycle_key()
            opened = services.household_session_start(record, link=link)
            request.session[SESSION_KEY] = opened.as_data()
            until = timezone.localtime(opened.until).strftime("%H:%M")
            if link.unit.stage in services.VOTE_STAGES:
                message = _("Your household is open until %(time)s. You can confirm or change your vote here.")
            elif link.unit.stage == Stage.NOTICE:
                message = _("Your household is open until %(time)s. You can confirm your vote or object to the notice here.")
            else:
                message = _("Your household is open until %(time)s.")
            messages.success(request, message % {"time": until})
            return redirect(_household_url(link))
    context = _public_context(link, code_form=form)
    response = render(request, "residents/unit_public.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(max(1, int((refused.retry_at - timezone.now()).total_seconds())))
    return response


def _session(request) -> services.HouseholdSession | None:
    return services.HouseholdSession.from_data(request.session.get(SESSION_KEY))


def _household_code(request, link) -> HouseholdCode | None:
    """The code of the household opened in this browser on this link, while its session lasts."""
    if SESSION_KEY not in request.session:
        return None
    record = services.household_session_code(_session(request), link=link)
    if record is None:
        request.session.pop(SESSION_KEY, None)
    return record


def _household_context(request, link, record, **forms) -> dict:
    household = record.household
    vote = current_vote(household)
    stage = link.unit.stage
    account, plan = household_money(household)
    context = {
        "link": link,
        "unit": link.unit,
        "household": household,
        "masked_name": mask_name(household.owner_name),
        "vote": vote,
        "account": account,
        "plan": plan,
        "can_vote": stage in services.VOTE_STAGES,
        "can_confirm": stage in services.CONFIRM_STAGES and vote.value in services.CONFIRMABLE_VOTES,
        "can_object": stage == Stage.NOTICE,
        "session_until": _session(request).until,
        "action_url": reverse("resident_household", args=[link.token]),
    }
    if context["can_confirm"]:
        context["confirm_form"] = forms.get("confirm_form") or ConfirmForm(initial={"version": vote.version})
    if context["can_vote"]:
        initial = {"version": vote.version, "value": vote.value if vote.value in services.RESIDENT_VOTES else None}
        context["vote_form"] = forms.get("vote_form") or VoteChangeForm(initial=initial)
    if context["can_object"]:
        context["objection_form"] = forms.get("objection_form") or ObjectionForm()
    return context


@require_http_methods(["GET", "POST"])
@public
def resident_household(request, link):
    """The household's own row for as long as its session lasts: confirm or change the vote, object to the
    notice, as often as needed. Each action answers on this page, its result at the top (#result)."""
    record = _household_code(request, link)
    if record is None:
        messages.info(request, _("Enter your household code to see your own row."))
        return redirect(reverse("resident_unit", args=[link.token]) + "#code")
    household = record.household
    if request.method == "GET":
        return render(request, "residents/household.html", _household_context(request, link, record))
    action = request.POST.get("action")
    forms = {}
    try:
        if action == "leave":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, _("Your household is closed. Enter your code again to open it."))
            return redirect(reverse("resident_unit", args=[link.token]) + RESULT)
        if action == "confirm":
            form = forms["confirm_form"] = ConfirmForm(request.POST)
            if form.is_valid():
                services.resident_confirm(
                    household=household, note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"]
                )
                return _done(request, link, _("Thank you: your vote “%(vote)s” is confirmed."), household=household)
        elif action == "vote":
            form = forms["vote_form"] = VoteChangeForm(request.POST)
            if form.is_valid():
                services.resident_vote(
                    household=household,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
                return _done(request, link, _("Thank you: your vote “%(vote)s” is recorded."), household=household)
        elif action == "object":
            form = forms["objection_form"] = ObjectionForm(request.POST)
            if form.is_valid():
                services.resident_objection(household=household, content=form.cleaned_data["content"], code=record)
                return _done(request, link, _("Thank you: your objection is recorded. The community will contact you."))
        else:
            raise Http404
    except StaleVote:  # before ValidationError: a stale vote is one (retrofit/refusals.py)
        messages.warning(request, _("Your vote was changed meanwhile. Check it below and send again."))
        return redirect(_household_url(link))
    except ValidationError as error:
        form.add_error(None, error)
    return render(
        request, "residents/household.html", _household_context(request, link, record, **forms), status=INVALID
    )


def _done(request, link, message, *, household=None):
    """Back to the household's page (the session stays open), the result at the top of the screen.
    With ``household``, the message names the vote now stored."""
    if household is not None:
        message = message % {"vote": VoteValue(current_vote(household).value).label}
    messages.success(request, message)
    return redirect(_household_url(link))


@require_POST
@public
def resident_large_type(request, link):
    """Large type on or off for the residents' pages, kept in a cookie for a year; the pages are drawn with
    it by the server (templates/residents/base_public.html), so nothing flickers on the next visit."""
    pages = {reverse(name, args=[link.token]) for name in ("resident_unit", "resident_household")}
    back = request.POST.get("next") or ""
    if back not in pages:  # back to this link's own pages only (not the code form's POST address, not elsewhere)
        back = reverse("resident_unit", args=[link.token])
    response = redirect(back)
    if request.POST.get("large") == "1":
        response.set_cookie(LARGE_TYPE_COOKIE, "large", max_age=LARGE_TYPE_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(LARGE_TYPE_COOKIE, samesite="Lax")
    return response


# --- staff --------------------------------------------------------------------------------------


def _staff_unit(user, pk, *, write=False) -> Unit:
    require_roster(user)
    unit = get_rw_unit_for_user(user, pk) if write else get_unit_for_user(user, pk)
    return unit


@login_required
@require_POST
def public_link_action(request, pk):
    unit = _staff_unit(request.user, pk, write=True)
    action = request.POST.get("action")
    if action == "regenerate":
        services.public_link_issue(unit=unit, by=request.user)
        messages.success(request, _("A new public link was made. The old QR code no longer works: print the new one."))
    elif action == "revoke":
        services.public_link_revoke(unit=unit, by=request.user)
        messages.success(request, _("The public link was switched off."))
    else:
        raise Http404
    return redirect(f"{reverse('unit_detail', args=[unit.pk])}#public-link")


@login_required
@require_safe
def public_link_qr(request, pk):
    """The current link's QR code as a PNG to post in the stairwell."""
    unit = _staff_unit(request.user, pk)
    link = services.public_link_current(unit)
    if link is None:
        raise Http404
    response = HttpResponse(qr.png(qr.public_url(request, link)), content_type="image/png")
    name = f"unit-{unit.pk}-qr.png"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def household_codes_issue(request, pk):
    """Issue codes (one household, or every household) and show them once, on printable slips."""
    unit = _staff_unit(request.user, pk, write=True)
    households = Household.objects.filter(unit=unit)
    if request.POST.get("household") != "all":
        households = households.filter(pk=int_param(request.POST, "household") or 0)
    households = list(households)
    if not households:
        messages.error(request, _("Choose a household."))
        return redirect(f"{reverse('unit_detail', args=[unit.pk])}#public-link")
    services.public_link_ensure(unit=unit, by=request.user)
    issued = services.household_codes_issue(unit=unit, households=households, by=request.user)
    request.session[SLIPS_KEY] = {
        "unit": unit.pk,
        "codes": [[item.household.pk, item.code] for item in issued],
        "expires": issued[0].record.expires_at.isoformat(),
    }
    return redirect("household_code_slips", pk=unit.pk)


@login_required
@require_safe
def household_code_slips(request, pk):
    """The slips with the codes just issued. Shown once: the codes are stored only as hashes."""
    unit = _staff_unit(request.user, pk, write=True)
    data = request.session.pop(SLIPS_KEY, None)
    slips = []
    expires = None
    if data and data.get("unit") == unit.pk:
        by_pk = {h.pk: h for h in Household.objects.filter(unit=unit)}
        for household_pk, code in data["codes"]:
            household = by_pk.get(household_pk)
            if household is not None:
                slips.append({"household": household, "code": services.format_code(code)})
        slips.sort(key=lambda s: top_floor_first(s["household"]))
        expires = timezone.datetime.fromisoformat(data["expires"])
    link = services.public_link_current(unit)
    url = qr.public_url(request, link) if link else ""
    context = {
        "unit": unit,
        "estate": unit.building.estate,
        "slips": slips,
        "expires": expires,
        "url": url,
        "qr": qr.svg_data_uri(url, scale=3) if url else "",
        "contact": CommunityContact.objects.filter(community_id=unit.building.estate.community_id).first(),
    }
    response = render(request, "residents/slips.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def community_contact_edit(request, pk):
    """The community's public contact, shown on every public unit page of the community."""
    require_roster(request.user)
    units = Unit.objects.visible_to(request.user).filter(building__estate__community_id=pk)
    community = get_object_or_404(Community.objects.filter(pk__in=units.values("building__estate__community")), pk=pk)
    require_editor(request.user)
    back = units.filter(pk=int_param(request.GET, "unit") or 0).first()
    contact = CommunityContact.objects.filter(community=community).first()
    form = CommunityContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_contact_save(community=community, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The public contact was saved."))
            if back is not None:
                return redirect(f"{reverse('unit_detail', args=[back.pk])}#public-link")
            return redirect("home")
    return render(
        request, "residents/contact_form.html", {"form": form, "community": community, "back": back},
        status=INVALID if request.method == "POST" else 200,
    )
