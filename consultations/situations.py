"""What each of the four situations is called and what staff should do about it (docs/rules.md, "The four situations")."""

from django.utils.translation import gettext_lazy as _

from . import rules

NAMES = {
    rules.READY: _("Ready"),
    rules.FEW_HOLDOUTS: _("A few holdouts"),
    rules.WAIT_AND_SEE: _("Wait and see"),
    rules.UNLIKELY: _("Not enough support"),
}

ACTIONS = {
    rules.READY: _("Draft-sign the agreement and post the public notice first, to set an example for the other units."),
    rules.FEW_HOLDOUTS: _(
        "Find out how strongly and why each holdout objects. Hardship: ask the neighbours to take over part "
        "of the share. Policy misunderstood: visit together with a neighbour from the same floor or unit and a cadre."
    ),
    rules.WAIT_AND_SEE: _("Hold an on-site Q&A meeting before the feedback deadline."),
    rules.UNLIKELY: _("Hold the unit and revisit it with the street leadership group."),
}

STYLES = {
    rules.READY: "success",
    rules.FEW_HOLDOUTS: "warning",
    rules.WAIT_AND_SEE: "info",
    rules.UNLIKELY: "danger",
}
