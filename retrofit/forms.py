"""Login with throttling: after repeated failures, a username or an address must wait."""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 20
TOO_MANY = _("Too many failed logins. Wait 15 minutes and try again, or ask your administrator to reset the password.")


def client_ip(request) -> str | None:
    # Behind the production proxy, REMOTE_ADDR is the proxy; the proxy is configured to overwrite
    # X-Real-IP, which clients cannot spoof through it.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        since = timezone.now() - WINDOW
        recent = LoginFailure.objects.filter(at__gte=since)
        if (username and recent.filter(username=username).count() >= MAX_PER_USERNAME) or (
            ip and recent.filter(ip=ip).count() >= MAX_PER_ADDRESS
        ):
            raise forms.ValidationError(TOO_MANY, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            LoginFailure.objects.create(username=username[:150], ip=ip, at=timezone.now())
            LoginFailure.objects.filter(at__lt=since - WINDOW).delete()  # keep the table small
            raise
        LoginFailure.objects.filter(username=username).delete()
        return cleaned
