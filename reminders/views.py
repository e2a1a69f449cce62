"""The reminders page and the menu badge."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from consultations.selectors import next_steps_of

from .models import Reminder
from .selectors import reminders_for
from .services import reminders_store, unseen_count


@login_required
@require_safe
def reminder_list(request):
    """What needs doing in the user's scope, computed now. Opening the page marks it all as seen."""
    today = timezone.localdate()
    items = reminders_for(request.user, today)
    unseen = set(Reminder.objects.filter(user=request.user, seen_at__isnull=True).values_list("key", flat=True))
    reminders_store(user=request.user, items=items, seen=True)
    next_steps, _consents = next_steps_of({item.unit.pk: item.unit for item in items if item.unit}.values())
    context = {"items": items, "unseen": unseen, "today": today, "next_steps": next_steps}
    return render(request, "reminders/list.html", context)


@login_required
@require_safe
def reminder_badge(request):
    """The number in the menu, loaded after the page (so pages do not pay for it)."""
    return render(request, "reminders/includes/_badge.html", {"n": unseen_count(request.user)})
