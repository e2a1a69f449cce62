"""The contract page: parties, amount, date and scan; each paying household's signature, flat by flat."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from retrofit import documents
from retrofit.formflow import INVALID, attach, error_line, submit
from retrofit.ordering import top_floor_first
from retrofit.refusals import Refused
from units.permissions import get_rw_unit_for_user, get_unit_for_request, get_unit_for_user, money_view

from . import contracts
from .forms import ContractForm, SignatureForm
from .models import Contract, ContractScanVersion, Signature

NAMES_NEEDED = gettext_lazy("Your role cannot see residents' names, so it cannot open the signed contract.")


def _contract_or_404(unit) -> Contract:
    contract = Contract.objects.filter(unit=unit).select_related("plan__created_by", "created_by").first()
    if contract is None:
        raise Http404(_("This unit has no contract yet."))
    return contract


def _live_context(request, unit, contract):
    signatures = list(contract.signatures.select_related("household"))
    amounts = {s.household_id: s.amount for s in contract.plan.shares.all()}
    for signature in signatures:
        signature.share = amounts.get(signature.household_id)
        signature.seen = contracts.signature_token(signature)
    signatures.sort(key=lambda s: top_floor_first(s.household))
    return {
        "unit": unit,
        "contract": contract,
        "signatures": signatures,
        "progress": contracts.progress(contract, signatures),
        "can_edit": request.user.can_edit,
        "statuses": Signature._meta.get_field("status").choices,
    }


@money_view("GET", "POST")
def unit_contract(request, pk):
    unit = get_unit_for_request(request, pk)
    contract = _contract_or_404(unit)
    form = ContractForm(instance=contract) if request.user.can_edit else None
    status = 200
    if request.method == "POST":
        form = ContractForm(request.POST, request.FILES, instance=Contract.objects.get(pk=contract.pk))
        if form.is_valid():
            try:
                changes = contracts.contract_update(contract=contract, data=form.cleaned_data, by=request.user)
            except ValidationError as error:
                attach(form, error)
            else:
                if changes:
                    messages.success(request, _("Contract saved."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("unit_contract", pk=unit.pk)
        status = INVALID
    context = _live_context(request, unit, contract)
    context.update(
        estate=unit.building.estate,
        form=form,
        changes=contract.changes.select_related("changed_by", "household")[:100],
        scan_versions=list(contract.scan_versions.select_related("uploaded_by").order_by("-number")),
        field_labels={k: str(v) for k, v in contracts.FIELD_LABELS.items()},
        party_rows=[
            (contracts.PARTY_LABELS["community_signed_on"], unit.building.estate.community.name, contract.community_signed_on),
            (contracts.PARTY_LABELS["elevator_company_signed_on"], contract.elevator_company, contract.elevator_company_signed_on),
            (contracts.PARTY_LABELS["construction_company_signed_on"], contract.construction_company, contract.construction_company_signed_on),
        ],
    )
    return render(request, "units/contract.html", context, status=status)


@money_view("POST")
def contract_start(request, pk):
    unit = get_rw_unit_for_user(request.user, pk)
    try:
        contracts.contract_start(unit=unit, by=request.user)
    except Refused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("unit_plan", pk=unit.pk)
    messages.success(request, _("Contract started; the plan is now frozen."))
    return redirect("unit_contract", pk=unit.pk)


@money_view("POST")
def signature_update(request, pk, household_pk):
    """One household's signature; HTMX swaps the signature list, a plain POST returns to the page."""
    unit = get_rw_unit_for_user(request.user, pk)
    contract = _contract_or_404(unit)
    signature = get_object_or_404(Signature.objects.select_related("household"), contract=contract, household_id=household_pk)
    form = SignatureForm(request.POST)

    def save(data):
        contracts.signature_set(
            signature=signature, status=data["status"], signed_on=data["signed_on"],
            note=data["note"], by=request.user, expected=data["seen"] or None,
        )

    def answer(error: str, status: int):
        """The signature list with the row's error (HTMX); without HTMX, the error said and back to the page."""
        if not request.htmx:
            if error:
                messages.error(request, f"{signature.household.room}: {error}")
            return redirect("unit_contract", pk=unit.pk)
        context = _live_context(request, unit, contract)
        context["row_error"] = (signature.household_id, error) if error else None
        return render(request, "units/includes/_plan_contract_live.html", context, status=status)

    def page(form, status):
        return answer(error_line(form), status)

    return submit(request, form, save, done=lambda _change: answer("", 200), page=page)


def _scan_reader(request, pk) -> Contract:
    """The contract whose scans this user may download: its unit in scope (else 404), names visible (else 403)."""
    unit = get_unit_for_user(request.user, pk)
    if not request.user.can_see_names:
        raise PermissionDenied(NAMES_NEEDED)
    return _contract_or_404(unit)


@money_view()
@require_safe
def contract_scan(request, pk):
    """The current scanned contract, only for roles that may see residents' names, never as a public file."""
    contract = _scan_reader(request, pk)
    if contract.scan_version_id is None:
        raise Http404(_("No scan has been uploaded."))
    return documents.version_response(ContractScanVersion.objects.get(pk=contract.scan_version_id))


@money_view()
@require_safe
def contract_scan_version(request, pk, version_pk):
    """Any earlier or current version of the scan, under the same scope check as the current one."""
    contract = _scan_reader(request, pk)
    version = get_object_or_404(ContractScanVersion, contract=contract, pk=version_pk)
    return documents.version_response(version)
