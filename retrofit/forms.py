"""Login with throttling (django-axes, configured in settings.AXES_*).

Five wrong passwords lock one account *from one address* for 15 minutes: a stranger who knows the
street leader's username locks out only themselves. Over all accounts, one address may fail
``MAX_PER_ADDRESS`` times in the window. Addresses come from retrofit.clientip.
"""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clientip import client_ip

MAX_PER_ADDRESS = 20
TOO_MANY = _("Too many failed logins. Wait 15 minutes and try again, or ask your administrator to reset the password.")


def address_failures(ip: str | None) -> int:
    """Failed logins from this address over all accounts within the cool-off window."""
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(n=Sum("failures_since_start"))
    return total["n"] or 0


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        if self.request is not None and address_failures(client_ip(self.request)) >= MAX_PER_ADDRESS:
            self.request.axes_locked_out = True  # answered 429 by lockout_response
            raise forms.ValidationError(TOO_MANY, code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            # axes marks the request when this account is locked from this address (this failure included)
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(TOO_MANY, code="throttled") from None
            raise


def lockout_response(request, original_response=None, credentials=None):
    """axes' answer to a locked-out login: the login page with TOO_MANY on it, as 429."""
    if original_response is None:
        return HttpResponse(TOO_MANY, status=429)
    original_response.status_code = 429
    return original_response
