"""The few answers of the core itself: the icon browsers ask for at the site's root."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def root_icon(request, name):
    """/favicon.ico and /apple-touch-icon.png: browsers and phones ask the root for them before (or without)
    reading the page's <link rel=icon>; they live in static/ under their (hashed, in production) names."""
    return HttpResponseRedirect(static(name))
