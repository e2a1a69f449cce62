"""A unit's next step in a list row (the dashboards' units table and attention list, the reminders, the
visit list): the blockers with the stage they hold back, the stage it may move to, or what goes on."""

from django.template.loader import render_to_string
from django.utils import translation

from units.nextstep import Blocker, NextStep

ROW = '<span class="next-step-inline small" data-testid="next-step-inline" data-can-advance="{}" data-blocked-by="{}">{}</span>'


def _row(step):
    with translation.override("zh-hans"):
        return render_to_string("units/includes/_next_step_inline.html", {"step": step}).strip()


def test_a_blocked_step_names_each_blocker_escaped_under_the_stage_it_holds_back():
    step = NextStep(
        "consultation", "notice", "x", (Blocker("consent_ready", "还需 <5> 名业主同意"), Blocker("round_closed", "轮次未结束"))
    )
    assert _row(step) == ROW.format(
        "no",
        "consent_ready round_closed",
        '<span class="text-danger">转入“公示”受阻：<span class="d-block" data-guard="consent_ready">还需 &lt;5&gt; 名业主同意</span>'
        '<span class="d-block" data-guard="round_closed">轮次未结束</span></span>',
    )


def test_a_step_that_may_move_says_where_and_one_without_a_move_says_what_goes_on():
    assert _row(NextStep("consultation", "notice", "x")) == ROW.format("yes", "", '<span class="text-success">可转入“公示”</span>')
    assert _row(NextStep("upkeep", None, "定期维保 & 年检")) == ROW.format(
        "no", "", '<span class="text-muted">定期维保 &amp; 年检</span>'
    )
    assert _row(None) == ROW.format("no", "", '<span class="text-muted"></span>')
