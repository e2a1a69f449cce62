"""The plan page (one unit, one plan): versions, the what-if table, the printable share table, and
the running-cost split after handover."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from retrofit.formflow import INVALID, attach
from retrofit.ordering import top_floor_first
from retrofit.params import int_param
from retrofit.periods import this_period
from retrofit.refusals import Refused
from units.permissions import get_rw_unit_for_user, get_unit_for_request, get_unit_for_user, money_view

from . import plan_tables, plans
from .forms import PlanForm, RunningCostForm
from .models import Contract, Household, Plan, SplitMethod, Stage
from .running_costs import running_cost_save, running_split


def _households(unit) -> list[Household]:
    households = list(Household.objects.filter(unit=unit))
    households.sort(key=top_floor_first)
    return households


def _versions(unit) -> list[Plan]:
    return list(unit.plans.select_related("created_by", "signed_by").prefetch_related("shares").order_by("-version"))


def _errors_by_slot(form: PlanForm | None, problem: plan_tables.ShareProblem | None = None) -> dict[str, str]:
    """Error text for every slot next to a field (empty slots clear old errors in the preview). Every visible
    field has its slot on the page (the preview swaps each one out of band, and htmx reports a slot it cannot
    find); a hidden field's error (the stale ``base_version``) shows with the form's own, in "all"."""
    visible = {name for name, field in form.fields.items() if not field.widget.is_hidden} if form is not None else set()
    slots = dict.fromkeys(sorted(visible), "")
    slots.update({"coefficients": "", "relief": "", "all": ""})
    if form is not None and form.is_bound:
        general = []
        for name, errors in form.errors.items():
            text = " ".join(str(e) for e in errors)
            if name in visible:
                slots[name] = text
            else:
                general.append(text)
        slots["all"] = " ".join(general)
    if problem is not None:
        slot = "all" if problem.field == "__all__" else problem.field
        slots[slot] = problem.message
    return slots


def _preview(form, compute, *, table_key="table"):
    """What-if, as a fragment's context: the table ``compute()`` makes from a valid form under ``table_key``,
    or the problem that stops it (neither for an invalid form), and each field's error slot."""
    table = problem = None
    if form.is_valid():
        try:
            table = compute()
        except plan_tables.ShareProblem as error:
            problem = error
    return {
        table_key: table,
        "problem": problem,
        "form_invalid": not form.is_valid(),
        "slots": _errors_by_slot(form, problem),
        "oob": True,
    }


def _plan_context(request, unit, households, versions, *, form=None, table=None, problem=None, shown=None):
    current = versions[0] if versions else None
    contract = Contract.objects.filter(unit=unit).first()
    by_pk = {h.pk: h for h in households}
    if shown is None:
        shown = current
    shares = request.user.can_see_money  # a company reads the plan's technical content, not the shares
    if table is None and shown is not None and shares:
        older = [p for p in versions if p.version < shown.version]
        table = plan_tables.table_of(shown, by_pk, compare=older[0] if older else None)
    return {
        "unit": unit,
        "estate": unit.building.estate,
        "households": households,
        "versions": versions,
        "current": current,
        "shown": shown,
        "table": table,
        "form": form,
        "slots": _errors_by_slot(form, problem),
        "problem": problem,
        "history": plans.history(versions) if shares else [],
        "show_shares": shares,
        "contract": contract,
        "can_edit": request.user.can_edit,
        "can_start_contract": request.user.can_edit
        and contract is None
        and current is not None
        and unit.stage == Stage.SIGNING,
        "roster_changed": current is not None and plans.roster_changed(current, households),
        "subsidy_rule": plans.describe_subsidy_rule(unit),
    }


def _latest_plan(unit) -> Plan | None:
    """The latest version with its shares: what the what-if compares with, and the running costs' default
    basis (the signed plan once there is one: signing freezes the plan)."""
    return unit.plans.order_by("-version").prefetch_related("shares").first()


def _new_form(unit, households, current, data=None):
    draft = plans.draft_for(unit, households, current)
    floors = plans.floors_of(unit, households)
    initial = PlanForm.initial_from(draft, current.version if current else None)
    return PlanForm(data, unit=unit, households=households, floors=floors, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def unit_plan(request, pk):
    """GET: the current plan (or ?version=N) with its share table; staff get the what-if form.
    POST: save the form as the next version."""
    unit = get_unit_for_request(request, pk)
    households = _households(unit)
    versions = _versions(unit)
    current = versions[0] if versions else None
    editable = request.user.can_edit and not (current and current.is_signed)

    if request.method == "POST":
        form = _new_form(unit, households, current, request.POST)
        problem = None
        if not editable:
            messages.error(request, plans.PLAN_FROZEN % {"version": current.version})
            return redirect("unit_plan", pk=unit.pk)
        if form.is_valid():
            try:
                plan = plans.plan_save(
                    unit=unit, draft=form.draft(), by=request.user,
                    base_version=form.cleaned_data.get("base_version"), households=households,
                )
            except plan_tables.ShareProblem as error:
                problem = error
            except Refused as refused:  # stale, frozen or unchanged: nothing saved, say why
                for message in refused.messages:
                    messages.warning(request, message)
                return redirect("unit_plan", pk=unit.pk)
            else:
                messages.success(request, _("Plan version %(version)d saved.") % {"version": plan.version})
                return redirect("unit_plan", pk=unit.pk)
        context = _plan_context(request, unit, households, versions, form=form, problem=problem)
        context["previewing"] = True
        return render(request, "units/plan.html", context, status=INVALID)

    shown = current
    if request.GET.get("version"):
        shown = next((p for p in versions if p.version == int_param(request.GET, "version")), None)
        if shown is None:
            raise Http404(_("No such version."))
    form = _new_form(unit, households, current) if editable and shown == current else None
    return render(request, "units/plan.html", _plan_context(request, unit, households, versions, form=form, shown=shown))


@money_view("POST")
def plan_preview(request, pk):
    """What-if: recompute the share table from the form as it stands, save nothing (HTMX fragment)."""
    unit = get_rw_unit_for_user(request.user, pk)
    households = _households(unit)
    current = _latest_plan(unit)
    form = _new_form(unit, households, current, request.POST)
    context = _preview(form, lambda: plans.compute(unit, households, form.draft(), compare=current))
    context.update(unit=unit, previewing=True, current=current, floors=plans.floors_of(unit, households))
    return render(request, "units/includes/_plan_table.html", context)


@money_view()
@require_safe
def plan_print(request, pk):
    """The share table of a version (default: the current one) on A4, for the notice board: names masked
    whoever prints, as on the notice printout, and no household's hardship relief."""
    unit = get_unit_for_user(request.user, pk)
    versions = _versions(unit)
    if not versions:
        raise Http404(_("This unit has no plan yet."))
    shown = versions[0]
    if request.GET.get("version"):
        shown = next((p for p in versions if p.version == int_param(request.GET, "version")), None)
        if shown is None:
            raise Http404(_("No such version."))
    households = {h.pk: h for h in Household.objects.filter(unit=unit)}
    return render(
        request,
        "units/plan_print.html",
        {
            "unit": unit,
            "estate": unit.building.estate,
            "plan": shown,
            "table": plan_tables.table_of(shown, households),
            "coefficients": [(floor, value) for floor, value in sorted(shown.coefficient_table.items(), reverse=True)],
            "today": timezone.localdate(),
        },
    )


# --- running costs --------------------------------------------------------------------------------


def _running_form(unit, basis, data=None):
    floors = sorted({s.floor for s in basis.shares.all()} | set(basis.coefficient_table))
    initial = {
        "method": basis.method,
        "period": this_period(),
        **{f"coef_{f}": v for f, v in basis.coefficient_table.items()},
    }
    return RunningCostForm(data, floors=floors, initial=initial)


def _running_table(basis, form):
    data = form.cleaned_data
    return running_split(
        basis, electricity=data["electricity"], maintenance=data["maintenance"],
        method=data["method"], coefficients=form.coefficients(),
    )


@money_view("GET", "POST")
def running_costs(request, pk):
    """Electricity and maintenance split among the flats, the plan's way unless staff choose another."""
    unit = get_unit_for_request(request, pk)
    basis = _latest_plan(unit)
    saved = list(unit.running_costs.select_related("created_by", "plan").order_by("-period"))
    context = {"unit": unit, "estate": unit.building.estate, "basis": basis, "saved": saved, "can_edit": request.user.can_edit}
    if basis is None:
        return render(request, "units/plan_running.html", context)
    form = _running_form(unit, basis, request.POST if request.method == "POST" else None) if request.user.can_edit else None
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            record = running_cost_save(
                unit=unit, plan=basis, period=form.cleaned_data["period"], electricity=form.cleaned_data["electricity"],
                maintenance=form.cleaned_data["maintenance"], method=form.cleaned_data["method"],
                coefficients=form.coefficients(), by=request.user,
            )
        except plan_tables.ShareProblem as error:
            problem = error
        except Refused as refused:  # the period is taken: said under its field
            attach(form, refused)
        else:
            messages.success(request, _("Running costs for %(period)s saved.") % {"period": record.period})
            return redirect(f"{request.path}?period={record.period}")
    shown = None
    wanted = request.GET.get("period")
    if saved:
        shown = next((r for r in saved if r.period == wanted), saved[0])
    shown_table = None
    if shown is not None:
        shown_table = running_split(
            shown.plan, electricity=shown.electricity, maintenance=shown.maintenance,
            method=shown.method, coefficients=shown.coefficient_table,
        )
    context.update(
        form=form, problem=problem, shown=shown, shown_table=shown_table,
        slots=_errors_by_slot(form, problem), methods=SplitMethod,
    )
    return render(request, "units/plan_running.html", context, status=INVALID if request.method == "POST" else 200)


@money_view("POST")
def running_costs_preview(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    basis = _latest_plan(unit)
    if basis is None:
        raise Http404(_("This unit has no plan yet."))
    form = _running_form(unit, basis, request.POST)
    context = _preview(form, lambda: _running_table(basis, form), table_key="running")
    return render(request, "units/includes/_plan_running_table.html", context)

