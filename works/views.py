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
from django.views.decorators.http import require_POST

from retrofit import documents
from retrofit.formflow import error_line, submit
from units import lifecycle
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
from .models import (
    AcceptanceLevel,
    Approval,
    Construction,
    ConstructionLogEntry,
    Registration,
    Subsidy,
    UtilityCharge,
)
from .selectors import CENT, WORKS_STAGES, summarize, with_assignments, with_works_records, works_units_for

VISITS_SHOWN = 20
PERIODS_SHOWN = 12
LOG_SHOWN = 30


@login_required
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
    after = Stage.following(unit.stage)
    return {"after": Stage(after).label, "blockers": lifecycle.blockers(unit, after)}


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


def _page_context(request, unit: Unit, bound: dict | None = None, saved: str = "") -> dict:
    user = request.user
    today = timezone.localdate()
    checks = list(unit.acceptance_checks.select_related("recorded_by").order_by("date", "id"))
    summary = summarize([unit], today=today, checks=checks)[unit.pk]
    editable = editable_sections(user, unit)
    show_upkeep = can_see_upkeep(user)
    attempts = defaultdict(list)
    for check in checks:
        attempts[check.level].append(check)
    levels = [
        {
            "level": level,
            "label": label,
            "attempts": attempts[level],
            "latest": summary.latest_checks.get(level),
        }
        for level, label in AcceptanceLevel.choices
    ]
    assignments = list(unit.assignments.all())
    context = {
        "unit": unit,
        "estate": unit.building.estate,
        "summary": summary,
        "today": today,
        "editable": editable,
        "show_upkeep": show_upkeep,
        "next_step": _next_step(unit),
        "assignments": assignments,
        "log": list(unit.log_entries.select_related("by")[:LOG_SHOWN]),
        "levels": levels,
        "saved": saved,
    }
    bound = bound or {}
    construction = summary.construction
    approval = summary.approval
    if APPROVAL in editable:
        context["approval_form"] = bound.get("approval_form") or forms.ApprovalForm(instance=approval)
    if CONSTRUCTION in editable:
        context["construction_form"] = bound.get("construction_form") or forms.ConstructionForm(
            instance=construction, notice_date=approval.market_notice_date if approval else None
        )
        context["log_form"] = bound.get("log_form") or forms.LogEntryForm()
    if ACCEPTANCE in editable:
        context["acceptance_form"] = bound.get("acceptance_form") or forms.AcceptanceForm()
    if SUBSIDY in editable:
        context["subsidy_form"] = bound.get("subsidy_form") or forms.SubsidyForm(instance=summary.subsidy)
        context["subsidy_application_form"] = bound.get("subsidy_application_form") or forms.SubsidyApplicationForm(
            instance=summary.subsidy
        )
    if show_upkeep:
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


@login_required
def unit_works(request, pk):
    unit = _load_unit(request.user, pk)
    return render(request, "works/unit_works.html", _page_context(request, unit))


def _section_page(request, pk, *, section: str, bound: dict | None = None, saved: str = "", status: int = 200):
    """The page (no HTMX) or only the section that posted, with the "next step" box out of band (HTMX)."""
    unit = _load_unit(request.user, pk)
    context = _page_context(request, unit, bound, saved=saved)
    if not request.htmx:
        return render(request, "works/unit_works.html", context, status=status)
    context["section_template"] = f"works/includes/_{section}.html"
    return render(request, "works/includes/_section_response.html", context, status=status)


def _handle(request, pk, *, permission: str, section: str, form_name: str, make_form, save):
    """A section's post through retrofit.formflow: saved, a redirect back (or the section, saying so);
    refused or invalid, the page (or the section) with the form and its errors."""
    unit = get_works_unit_for_user(request.user, pk, permission)

    def page(form, status):
        return _section_page(request, unit.pk, section=section, bound={form_name: form}, status=status)

    def done(message):
        message = message or _("Saved.")
        if not request.htmx:
            messages.success(request, message)
            return redirect(f"{reverse('unit_works', args=[unit.pk])}#{section}")
        return _section_page(request, unit.pk, section=section, saved=message)

    return submit(request, make_form(unit), lambda data: save(unit, data), done=done, page=page)


@login_required
@require_POST
def approval_edit(request, pk):
    def make_form(unit):
        return forms.ApprovalForm(request.POST, instance=Approval.objects.filter(unit=unit).first())

    def save(unit, data):
        services.approval_save(unit=unit, by=request.user, **data)

    return _handle(
        request,
        pk,
        permission=APPROVAL,
        section="approval",
        form_name="approval_form",
        make_form=make_form,
        save=save,
    )


@login_required
@require_POST
def construction_edit(request, pk):
    def make_form(unit):
        approval = Approval.objects.filter(unit=unit).first()
        return forms.ConstructionForm(
            request.POST,
            instance=Construction.objects.filter(unit=unit).first(),
            notice_date=approval.market_notice_date if approval else None,
        )

    def save(unit, data):
        services.construction_save(unit=unit, by=request.user, **data)

    return _handle(
        request,
        pk,
        permission=CONSTRUCTION,
        section="construction",
        form_name="construction_form",
        make_form=make_form,
        save=save,
    )


@login_required
@require_POST
def log_add(request, pk):
    def make_form(unit):
        return forms.LogEntryForm(request.POST, request.FILES)

    def save(unit, data):
        services.log_entry_add(unit=unit, by=request.user, **data)
        return _("Log entry added.")

    return _handle(
        request,
        pk,
        permission=CONSTRUCTION,
        section="construction",
        form_name="log_form",
        make_form=make_form,
        save=save,
    )


@login_required
@require_POST
def acceptance_add(request, pk):
    def make_form(unit):
        return forms.AcceptanceForm(request.POST)

    def save(unit, data):
        before = unit.stage
        services.acceptance_record(unit=unit, by=request.user, **data)
        if unit.stage != before:
            return _("Failed check recorded: the unit went back to construction with the defects listed.")
        return _("Acceptance check recorded.")

    return _handle(
        request,
        pk,
        permission=ACCEPTANCE,
        section="acceptance",
        form_name="acceptance_form",
        make_form=make_form,
        save=save,
    )


@login_required
@require_POST
def subsidy_edit(request, pk):
    def make_form(unit):
        return forms.SubsidyForm(request.POST, instance=Subsidy.objects.filter(unit=unit).first())

    def save(unit, data):
        services.subsidy_record(unit=unit, by=request.user, **data)

    return _handle(
        request,
        pk,
        permission=SUBSIDY,
        section="acceptance",
        form_name="subsidy_form",
        make_form=make_form,
        save=save,
    )


@login_required
@require_POST
def subsidy_application_edit(request, pk):
    def make_form(unit):
        return forms.SubsidyApplicationForm(request.POST, instance=Subsidy.objects.filter(unit=unit).first())

    def save(unit, data):
        services.subsidy_application_save(unit=unit, by=request.user, **data)
        return _("Subsidy application saved.")

    return _handle(
        request,
        pk,
        permission=SUBSIDY,
        section="acceptance",
        form_name="subsidy_application_form",
        make_form=make_form,
        save=save,
    )


def _upkeep_handle(request, pk, *, form_name, make_form, save):
    return _handle(
        request, pk, permission=UPKEEP, section="upkeep", form_name=form_name, make_form=make_form, save=save
    )


@login_required
@require_POST
def registration_edit(request, pk):
    def make_form(unit):
        return forms.RegistrationForm(
            request.POST, instance=Registration.objects.filter(unit=unit).first(), unit=unit
        )

    def save(unit, data):
        services.registration_save(unit=unit, by=request.user, **data)

    return _upkeep_handle(request, pk, form_name="registration_form", make_form=make_form, save=save)


@login_required
@require_POST
def visit_add(request, pk):
    def save(unit, data):
        services.visit_add(unit=unit, by=request.user, **data)
        return _("Maintenance visit recorded.")

    return _upkeep_handle(
        request, pk, form_name="visit_form", make_form=lambda unit: forms.VisitForm(request.POST), save=save
    )


@login_required
@require_POST
def inspection_add(request, pk):
    def save(unit, data):
        services.inspection_add(unit=unit, by=request.user, **data)
        return _("Inspection recorded.")

    return _upkeep_handle(
        request,
        pk,
        form_name="inspection_form",
        make_form=lambda unit: forms.InspectionForm(request.POST),
        save=save,
    )


@login_required
@require_POST
def charges_add(request, pk):
    def save(unit, data):
        created, skipped = services.charges_add(unit=unit, by=request.user, **data)
        message = _("%(n)d charges added.") % {"n": len(created)}
        if skipped:
            message += " " + _("%(n)d households were already charged for that period.") % {"n": skipped}
        return message

    return _upkeep_handle(
        request,
        pk,
        form_name="charge_form",
        make_form=lambda unit: forms.ChargeForm(request.POST, unit=unit),
        save=save,
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
            return redirect(f"{reverse('unit_works', args=[unit.pk])}#upkeep")
        context = _page_context(request, _load_unit(request.user, unit.pk), saved=saved)
        context["section_error"] = error
        context["section_template"] = "works/includes/_upkeep.html"
        return render(request, "works/includes/_section_response.html", context, status=status)

    def page(form, status):
        return answer(error_line(form), status)

    return submit(request, form, save, done=lambda _result: answer("", 200), page=page)


@login_required
def log_photo(request, pk):
    """A construction photo, only for someone who may see its unit."""
    entry = get_object_or_404(
        ConstructionLogEntry.objects.filter(unit__in=Unit.objects.visible_to(request.user), photo_version__isnull=False)
        .select_related("photo_version"),
        pk=pk,
    )
    version = entry.photo_version
    return documents.version_response(version, filename=f"log-{entry.pk}{version.extension}")
