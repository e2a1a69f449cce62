"""Working without signal (README, "Without signal"): the service worker and the page of saves waiting on
the phone. The saves themselves are kept and sent by static/js/offline.js; the server records each once
by its key (services/client_saves.py)."""

from __future__ import annotations

import hashlib

from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from .scope import roster_page

# What the phone keeps to open the app without signal: the stylesheets and scripts of every page. The
# unit page last opened and the visit forms opened are kept as they are opened (static/js/sw.js).
SHELL_FILES = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/app.css",
    "css/consultations.css",
    "js/app.js",
    "js/offline.js",
]


@require_GET
def service_worker(request):
    """The service worker, served from the site's root so that its scope covers every page. It names the
    files to keep (with their static names, hashed in production) and loads its code from static/js/sw.js."""
    shell = [static(name) for name in SHELL_FILES] + [reverse("offline_queue")]
    version = hashlib.sha256(" ".join([static("js/sw.js"), *shell]).encode()).hexdigest()[:12]
    response = render(
        request,
        "consultations/sw.js",
        {"shell": shell, "version": version, "code": static("js/sw.js"), "queue": reverse("offline_queue")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker on each visit; never keep an old one in a cache.
    response["Cache-Control"] = "no-cache"
    return response


@roster_page
@require_safe
def offline_queue(request):
    """The saves waiting on this phone (drawn by static/js/offline.js from the phone's store): sent when
    the signal returns; a vote changed on the server meanwhile is shown beside the worker's, to choose."""
    return render(request, "consultations/offline_queue.html")
