"""The login page, and where each role lands after it (README, "Roles"): a street leader on the street's
dashboard, everyone else on the estates (a company is sent on from there to its works list).

A login reached from the site's address (``/login/?next=/``) lands on the role's start page too: only a
deeper page asked for before logging in (a unit, a visit list) is returned to."""

from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url
from django.urls import reverse

from .forms import ThrottledAuthenticationForm
from .models import Role

# A URL name per role; the pages live in higher apps and are named, never imported.
START_PAGE = {Role.STREET_LEADER: "dashboard_home", Role.DISTRICT_OFFICIAL: "dashboard_home"}
DEFAULT_START = "home"


def start_url(user) -> str:
    return resolve_url(START_PAGE.get(getattr(user, "role", None), DEFAULT_START))


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        asked = super().get_redirect_url()
        return "" if asked == reverse(DEFAULT_START) else asked

    def get_default_redirect_url(self):
        return start_url(self.request.user)
