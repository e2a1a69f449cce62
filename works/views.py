"""Works pages: a company's (or an office's) list of units at work, and one unit's works and upkeep page.

Each section of the unit page posts to its own view; with HTMX only that section is swapped (plus the
"next step" box, out of band), without it the view redirects back to the page.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, DecimalField, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from retrofit import documents
from retrofit.formflow import error_line, submit
from units import nextstep
from units.models import Stage, Unit
from units.permissions import (
    ACCEPTANCE,
    APPROVAL,
    CONSTRUCTION,
    SUBSIDY,
    UPKEEP,
    can_see_upkeep,
    editable_sections,
    get_works_unit_for_user,
)

from . import forms, services, upkeep
from .models import AcceptanceLevel, Approval, Construction, ConstructionLogEntry, Registration, UtilityCharge
from .selectors import CENT, WORKS_STAGES, summarize, with_assignments, with_works_records, works_units_for

VISITS_SHOWN = 20
PERIODS_SHOWN = 12
LOG_SHOWN = 30


@login_required
@require_safe
def works_home(request):
    """A company user's units, or the office's units from approval onwards, with their warnings."""
    summaries = list(summarize(works_units_for(request.user), today=timezone.localdate()).values())
    show_upkeep = can_see_upkeep(request.user)
    warned = sum(
        1 for s in summaries if s.acceptance_failed or (show_upkeep and (s.warnings or s.arrears_count))
    )
    context = {"summaries": summaries, "warned": warned, "show_upkeep": show_upkeep}
    return render(request, "works/home.html", context)


def _load_unit(user, pk) -> Unit:
    units = with_assignments(with_works_records(Unit.objects.visible_to(user).for_listing()))
    # Who recorded each one-to-one record, shown under it.
    units = units.select_related(
        "approval__recorded_by",
        "construction__recorded_by",
        "subsidy__recorded_by",
        "registration__recorded_by",
    )
    return get_object_or_404(units, pk=pk)


def _next_step(unit: Unit):
    """The next forward stage and what still blocks it, while the unit is going through the works."""
    if unit.stage not in WORKS_STAGES or unit.stage == Stage.UPKEEP:
        return None
    step = nextstep.next_step_for(unit)  # the one answer (units/nextstep.py), as the unit page's
    return {"after": step.after_label, "blockers": step.messages}


def _visits(unit: Unit, summary, today):
    """Recent visits, each flagged with the gap since the visit before it when that exceeds 15 days."""
    visits = list(unit.maintenance_visits.select_related("company", "recorded_by"))
    since = summary.registration.registered_on if summary.registration else None
    gaps = upkeep.maintenance_gaps([visit.date for visit in visits], today=today, since=since)
    flagged = {gap.end: gap.days for gap in gaps if not gap.open}
    for visit in visits:
        visit.gap_days = flagged.pop(visit.date, None)  # pop: only the earliest visit of a day carries it
    return visits[:VISITS_SHOWN], len(visits)


def _charges(unit: Unit):
    money = DecimalField(max_digits=12, decimal_places=2)
    periods = list(
        UtilityCharge.objects.filter(unit=unit)
        .values("period", "kind")
        .annotate(
            households=Count("id"),
            paid=Count("id", filter=Q(paid_on__isnull=False)),
            total=Sum("amount", output_field=money),
            unpaid_total=Sum("amount", filter=Q(paid_on__isnull=True), output_field=money),
        )
        .order_by("-period", "kind")[:PERIODS_SHOWN]
    )
    unpaid = (
        UtilityCharge.objects.filter(unit=unit, paid_on__isnull=True)
        .select_related("household")
        .order_by("household__floor", "household__room", "period", "kind")
    )
    totals = {
        arrear.household: arrear
        for arrear in upkeep.arrears(upkeep.Charge(c.household_id, c.amount, c.paid_on) for c in unpaid)
    }
    arrears = [
        {"household": charges[0].household, "charges": charges, "total": totals[household_id].total}
        for household_id, group in groupby(unpaid, key=lambda c: c.household_id)
        for charges in [list(group)]
    ]
    kind_labels = dict(UtilityCharge._meta.get_field("kind").choices)
    for row in periods:
        row["kind_label"] = kind_labels[row["kind"]]
        # SQLite sums come back without their two places.
        row["total"] = Decimal(row["total"]).quantize(CENT)
        row["unpaid_total"] = Decimal(row["unpaid_total"]).quantize(CENT) if row["unpaid_total"] else None
    return periods, arrears


# The page's sections, in order, named as the permissions that edit them (the subsidy is drawn in acceptance's).
SECTIONS = (APPROVAL, CONSTRUCTION, ACCEPTANCE, UPKEEP)


def _page_context(request, unit: Unit, bound: dict | None = None, saved: str = "", sections=SECTIONS) -> dict:
    """What the page shows of ``unit``, for the ``sections`` drawn: the whole page, or the one section an
    HTMX post answers with (the others' lists are not queried nor their forms made)."""
    user = request.user
    today = timezone.localdate()
    checks = list(unit.acceptance_checks.select_related("recorded_by").order_by("date", "id"))
    summary = summarize([unit], today=today, checks=checks)[unit.pk]
    editable = editable_sections(user, unit)
    show_upkeep = can_see_upkeep(user)
    context = {
        "unit": unit,
        "estate": unit.building.estate,
        "summary": summary,
        "today": today,
        "editable": editable,
        "show_upkeep": show_upkeep,
        "next_step": _next_step(unit),
        "assignments": list(unit.assignments.all()),
        "saved": saved,
    }
    bound = bound or {}
    construction = summary.construction
    approval = summary.approval
    if APPROVAL in sections and APPROVAL in editable:
        context["approval_form"] = bound.get("approval_form") or forms.ApprovalForm(instance=approval)
    if CONSTRUCTION in sections:
        context["log"] = list(unit.log_entries.select_related("by")[:LOG_SHOWN])
        if CONSTRUCTION in editable:
            context["construction_form"] = bound.get("construction_form") or forms.ConstructionForm(
                instance=construction, notice_date=approval.market_notice_date if approval else None
            )
            context["log_form"] = bound.get("log_form") or forms.LogEntryForm()
    if ACCEPTANCE in sections:
        context["levels"] = _levels(summary, checks)
        if ACCEPTANCE in editable:
            context["acceptance_form"] = bound.get("acceptance_form") or forms.AcceptanceForm()
        if SUBSIDY in editable:
            context["subsidy_form"] = bound.get("subsidy_form") or forms.SubsidyForm(instance=summary.subsidy)
            context["subsidy_application_form"] = bound.get(
                "subsidy_application_form"
            ) or forms.SubsidyApplicationForm(instance=summary.subsidy)
    if UPKEEP in sections and show_upkeep:
        context["visits"], context["visit_count"] = _visits(unit, summary, today)
        context["inspections"] = list(unit.inspections.select_related("recorded_by")[:10])
        context["periods"], context["arrears"] = _charges(unit)
        if UPKEEP in editable:
            registration = summary.registration
            context["registration_form"] = bound.get("registration_form") or forms.RegistrationForm(
                instance=registration, unit=unit
            )
            maintainer = registration.maintenance_company if registration else None
            context["visit_form"] = bound.get("visit_form") or forms.VisitForm(default_company=maintainer)
            context["inspection_form"] = bound.get("inspection_form") or forms.InspectionForm()
            context["charge_form"] = bound.get("charge_form") or forms.ChargeForm(unit=unit)
            context["paid_today"] = today
    return context


def _levels(summary, checks) -> list[dict]:
    """Each level of acceptance with its attempts, oldest first, and the latest one."""
    attempts = defaultdict(list)
    for check in checks:
        attempts[check.level].append(check)
    return [
        {"level": level, "label": label, "attempts": attempts[level], "latest": summary.latest_checks.get(level)}
        for level, label in AcceptanceLevel.choices
    ]


@login_required
@require_safe
def unit_works(request, pk):
    unit = _load_unit(request.user, pk)
    return render(request, "works/unit_works.html", _page_context(request, unit))


def _back(unit: Unit, section: str):
    """Without HTMX, a post answers with a redirect back to its section of the page."""
    return redirect(f"{reverse('unit_works', args=[unit.pk])}#{section}")


def _section_page(
    request, pk, *, section: str, bound: dict | None = None, saved: str = "", error: str = "", status: int = 200
):
    """The page (no HTMX) or only the section that posted, with the "next step" box out of band (HTMX)."""
    unit = _load_unit(request.user, pk)
    if not request.htmx:
        return render(request, "works/unit_works.html", _page_context(request, unit, bound, saved=saved), status=status)
    context = _page_context(request, unit, bound, saved=saved, sections=(section,))
    context["section_error"] = error
    context["section_template"] = f"works/includes/_{section}.html"
    return render(request, "works/includes/_section_response.html", context, status=status)


# The section of the page each permission edits.
SECTION_OF = {**{section: section for section in SECTIONS}, SUBSIDY: ACCEPTANCE}


def _section_post(permission: str, form_name: str, form, save, *, said=None):
    """The view a section posts to, through retrofit.formflow.

    ``form(request, unit)`` is the bound form (``form_name`` in the page's context), ``save`` the service
    (called with the unit, the user and the cleaned data) and ``said`` the line shown once saved: a text, a
    function of what the service returned, or "Saved." without it. Saved: a redirect back (or the section,
    saying so); refused or invalid: the page (or the section) with the form and its errors.
    """
    section = SECTION_OF[permission]

    @login_required
    @require_POST
    def view(request, pk):
        unit = get_works_unit_for_user(request.user, pk, permission)

        def page(form, status):
            return _section_page(request, unit.pk, section=section, bound={form_name: form}, status=status)

        def done(result):
            message = (said(result) if callable(said) else said) or _("Saved.")
            if not request.htmx:
                messages.success(request, message)
                return _back(unit, section)
            return _section_page(request, unit.pk, section=section, saved=message)

        def write(data):
            return save(unit=unit, by=request.user, **data)

        return submit(request, form(request, unit), write, done=done, page=page)

    return view


def _adds(form_class):
    """A form that adds a new record."""
    return lambda request, unit: form_class(request.POST, request.FILES)


def _edits(form_class):
    """A form that edits the unit's one record of its model, or makes it."""
    return lambda request, unit: form_class(request.POST, instance=_record(form_class._meta.model, unit))


def _record(model, unit: Unit):
    """The unit's one record of ``model``, or None before its first save."""
    return model.objects.filter(unit=unit).first()


def _construction_form(request, unit: Unit):
    approval = _record(Approval, unit)
    notice_date = approval.market_notice_date if approval else None
    return forms.ConstructionForm(request.POST, instance=_record(Construction, unit), notice_date=notice_date)


def _registration_form(request, unit: Unit):
    return forms.RegistrationForm(request.POST, instance=_record(Registration, unit), unit=unit)


def _acceptance_record(*, unit: Unit, by, **data) -> str:
    """Record the check; the line shown says whether a failure sent the unit back to construction."""
    before = unit.stage
    services.acceptance_record(unit=unit, by=by, **data)
    if unit.stage != before:
        return _("Failed check recorded: the unit went back to construction with the defects listed.")
    return _("Acceptance check recorded.")


def _charges_added(result) -> str:
    created, skipped = result
    message = _("%(n)d charges added.") % {"n": len(created)}
    if skipped:
        message += " " + _("%(n)d households were already charged for that period.") % {"n": skipped}
    return message


approval_edit = _section_post(APPROVAL, "approval_form", _edits(forms.ApprovalForm), services.approval_save)
construction_edit = _section_post(CONSTRUCTION, "construction_form", _construction_form, services.construction_save)
log_add = _section_post(
    CONSTRUCTION, "log_form", _adds(forms.LogEntryForm), services.log_entry_add, said=gettext_lazy("Log entry added.")
)
acceptance_add = _section_post(ACCEPTANCE, "acceptance_form", _adds(forms.AcceptanceForm), _acceptance_record, said=str)
subsidy_edit = _section_post(SUBSIDY, "subsidy_form", _edits(forms.SubsidyForm), services.subsidy_record)
subsidy_application_edit = _section_post(
    SUBSIDY,
    "subsidy_application_form",
    _edits(forms.SubsidyApplicationForm),
    services.subsidy_application_save,
    said=gettext_lazy("Subsidy application saved."),
)
registration_edit = _section_post(UPKEEP, "registration_form", _registration_form, services.registration_save)
visit_add = _section_post(
    UPKEEP, "visit_form", _adds(forms.VisitForm), services.visit_add, said=gettext_lazy("Maintenance visit recorded.")
)
inspection_add = _section_post(
    UPKEEP, "inspection_form", _adds(forms.InspectionForm), services.inspection_add, said=gettext_lazy("Inspection recorded.")
)
charges_add = _section_post(
    UPKEEP,
    "charge_form",
    lambda request, unit: forms.ChargeForm(request.POST, unit=unit),
    services.charges_add,
    said=_charges_added,
)


@login_required
@require_POST
def charge_paid(request, pk):
    charge = get_object_or_404(
        UtilityCharge.objects.filter(unit__in=Unit.objects.visible_to(request.user)), pk=pk
    )
    unit = get_works_unit_for_user(request.user, charge.unit_id, UPKEEP)
    form = forms.PaidForm(request.POST)

    def save(data):
        services.charge_mark_paid(charge=charge, by=request.user, paid_on=data["paid_on"])

    def answer(error: str, status: int):
        """The upkeep section with the error (or the saved line) above it; without HTMX, a message and back."""
        saved = "" if error else _("Payment recorded.")
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, saved)
            return _back(unit, UPKEEP)
        return _section_page(request, unit.pk, section=UPKEEP, saved=saved, error=error, status=status)

    def page(form, status):
        return answer(error_line(form), status)

    return submit(request, form, save, done=lambda _result: answer("", 200), page=page)


@login_required
@require_safe
def log_photo(request, pk):
    """A construction photo, only for someone who may see its unit."""
    entry = get_object_or_404(
        ConstructionLogEntry.objects.filter(unit__in=Unit.objects.visible_to(request.user), photo_version__isnull=False)
        .select_related("photo_version"),
        pk=pk,
    )
    version = entry.photo_version
    return documents.version_response(version, filename=f"log-{entry.pk}{version.extension}")
