"""Lifecycle guards whose evidence lives in the consultation app."""

from django.utils.translation import gettext as _

from .selectors import consent_by_unit


def consent_ready(unit) -> list[str]:
    result = consent_by_unit([unit])[unit.pk]
    if not result.ok:
        return [_("The roster has a conflict: %(conflict)s") % {"conflict": result.conflict}]
    consent = result.consent
    if consent.threshold_met:
        return []
    if consent.agrees_needed is None:
        return [_("The unit has no households on its roster.")]
    return [_("Consent is not reached: %(n)d more owners must agree.") % {"n": consent.agrees_needed}]
