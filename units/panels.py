"""The panels of the unit and estate pages, registered by the apps that own what they show.

The units app owns the pages but not most of what is on them: the consent figures and the floor grid
coloured by vote are the consultation's, the works, money and the public link are their own apps'. Each
of those apps registers its panels here from its ``AppConfig.ready()`` (as the lifecycle guards and the
attention reasons are registered), so ``units`` imports none of them.

A panel is an order, a slot (where on the page), a template and a context function taking
``(request, obj, shared)`` and returning the template's context, or None when the panel shows nothing.
``shared`` holds the reads several panels need, each made once per page: a higher app registers the
read under a name (``provide``) and every panel asks ``shared[name]`` for it, so the households of a
unit are read once however many panels show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.context_processors import csrf

# Slots of the unit page, top to bottom: above the columns, the left (grid) column, the right column,
# below the columns, and after the page's content (bottom sheets).
SLOTS = ("header", "top", "grid", "side", "bottom", "after")

Context = Callable[[HttpRequest, Any, "Shared"], "dict | None"]
Provider = Callable[[HttpRequest, Any, "Shared"], Any]


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    template: str
    context: Context
    slot: str = "side"


def from_tag(tag) -> Context:
    """A panel context from an inclusion tag ``tag(context, obj)`` that reads only the request (and the
    CSRF token) from its template context: the tag stays usable on its own in templates."""

    def context(request: HttpRequest, obj, shared: Shared) -> dict:
        return tag({"request": request, **csrf(request)}, obj)

    return context


@dataclass(frozen=True)
class Shown:
    """A panel with its context, ready for ``{% panel shown %}``."""

    panel: Panel
    context: dict

    @property
    def template(self) -> str:
        return self.panel.template


class Shared:
    """The reads a page's panels share, each made on first use by the provider registered for it."""

    def __init__(self, registry: Registry, request: HttpRequest, obj):
        self._registry, self._request, self._obj = registry, request, obj
        self._values: dict[str, Any] = {}

    def __getitem__(self, name: str):
        if name not in self._values:
            self._values[name] = self._registry.providers[name](self._request, self._obj, self)
        return self._values[name]

    def __contains__(self, name: str) -> bool:
        return name in self._registry.providers


@dataclass
class Registry:
    panels: dict[str, Panel] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)

    def register(self, panel: Panel) -> None:
        if panel.slot not in SLOTS:
            raise ValueError(f"Unknown slot {panel.slot!r}; one of {SLOTS}.")
        self.panels[panel.name] = panel  # by name: registering twice (tests reloading apps) is harmless

    def provide(self, name: str, provider: Provider) -> None:
        self.providers[name] = provider

    def shared(self, request: HttpRequest, obj) -> Shared:
        return Shared(self, request, obj)

    def compose(self, request: HttpRequest, obj, shared: Shared | None = None) -> dict[str, list[Shown]]:
        """Every registered panel's context in order, grouped by slot; panels answering None are left out."""
        shared = shared or self.shared(request, obj)
        slots: dict[str, list[Shown]] = {slot: [] for slot in SLOTS}
        for panel in sorted(self.panels.values(), key=lambda p: (p.order, p.name)):
            context = panel.context(request, obj, shared)
            if context is not None:
                slots[panel.slot].append(Shown(panel, context))
        return slots


UNIT_PAGE = Registry()
ESTATE_PAGE = Registry()


# The home page's estate cards: each source answers, for the queryset of units it is given, figures per
# estate id (e.g. households and ready units, from the consultation), summed in the database.
EstateFigures = Callable[[object], dict[int, dict[str, int]]]
ESTATE_FIGURES: list[EstateFigures] = []


def register_estate_figures(source: EstateFigures) -> None:
    if source not in ESTATE_FIGURES:
        ESTATE_FIGURES.append(source)
