"""The one way a page answers a posted form: validate it, call the service, put a refusal on the form,
then redirect (or render the HTMX partial) when saved, or draw the form again with its errors.

An invalid or refused form answers ``INVALID`` (422 Unprocessable Content) everywhere, set in this one place;
pages drawing a refused form outside this flow (plans, running costs, contracts, the roster import, the
residents' pages) answer it too. htmx 2 swaps no 4xx by default: templates/base.html tells it
(``responseHandling`` in the ``htmx-config`` meta) to swap a 422 like a 200, so the HTMX sheets and sections
show their errors in place; every other 4xx/5xx keeps htmx's default (not swapped, an error). A ``Stale``
refusal (someone else saved first, retrofit/refusals.py) draws a fresh form from what is stored now, with the
refusal's words as ``form.stale_message``, when the page can build one (``reload``); that answers 200.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from .refusals import Stale

INVALID = 422  # Unprocessable Content (RFC 9110)

Page = Callable[..., HttpResponse]  # page(form, status) -> the page (or partial) showing the form


def posted(request):
    """The form's data: the POST on a post, None (an unbound form) otherwise."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def attach(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(None, error)


def error_line(form) -> str:
    """The form's errors (its own and a service's, put there by ``attach``) as one line, for a page that says
    them above a list or in a message instead of drawing the form again."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def submit(request, form, save: Callable, *, done: Callable, page: Page, reload: Callable | None = None) -> HttpResponse:
    """GET: the page with ``form``. POST: ``save(cleaned_data)``, then ``done(result)`` — or the page again."""
    if request.method != "POST":
        return page(form, 200)
    if form.is_valid():
        try:
            result = save(form.cleaned_data)
        except Stale as stale:
            if reload is None:
                attach(form, stale)
            else:
                form = reload()
                form.stale_message = str(stale)
                return page(form, 200)
        except ValidationError as error:
            attach(form, error)
        else:
            return done(result)
    return page(form, INVALID)


def saved(request, message, to, *args, **kwargs) -> Callable:
    """A ``done`` for ``submit``: say ``message`` and redirect to ``to`` (a URL name with its arguments, or a path)."""

    def done(_result=None) -> HttpResponse:
        messages.success(request, message)
        return redirect(to, *args, **kwargs)

    return done
