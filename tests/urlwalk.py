"""Walking every route of the product with the demo's objects (tests/test_every_url.py and
tests/test_junk_params.py): the routes, one object of each kind from a role's own unit, the URLs filled in.

``add_route_objects`` adds what the demo lacks on the roles' own units; tests/conftest.py's ``url_demo``
calls it on top of the session's demo street.
"""

from contextlib import contextmanager
from unittest import mock

from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from consultations.models import (
    ActionItem,
    ConsultationRound,
    Contact,
    Meeting,
    Notice,
    Objection,
    OpinionFormVersion,
)
from payments.models import LedgerEntry
from reports.exports import common
from reports.models import ExportJob, JobKind, JobStatus
from residents.services import public_link_ensure
from retrofit.documents import version_add
from retrofit.models import Role, User
from units.models import ContractScanVersion, Street, Unit
from works.models import ConstructionLogEntry, UtilityCharge

PILOT = "绵纺厂宿舍小区"


@contextmanager
def pdf_laid_out(really: bool):
    """WeasyPrint's PDF layout, for real or skipped.

    It takes most of the time of a PDF route (a unit's file: ~1.3 s, and ~0.1 s more to parse its HTML and
    CSS before that) and sees only the HTML and stylesheets the view rendered (rendered every time, whoever
    asks): tests/test_every_url.py lays the PDFs out for real for a role that reads names in full and one
    that reads them masked, and skips the layout for the others; tests/test_junk_params.py skips it (the
    PDF views read no parameter, so junk changes nothing the layout would see).
    """
    if really:
        yield
        return
    with mock.patch.object(common, "lay_out", lambda html, stylesheets, output: None):
        yield


@contextmanager
def parameters_read():
    """What the requests made inside look at of their parameters (a list, empty if nothing).

    A request's parameters are its query string and its body; whatever reads them (``request.GET``,
    ``request.POST``, ``request.body``, ``get_full_path``, a form bound to them) reads the query string
    from the request's WSGI environ or the body from the request itself, so both are watched there:
    ``QUERY_STRING`` read from the environ (or the environ read whole), and the body read. A request that
    looked at neither answers the same whatever its parameters say (tests/test_junk_params.py).
    """
    seen = []

    def watched(method):
        def read(environ, *args):
            if method not in ("__getitem__", "get") or args[0] == "QUERY_STRING":
                seen.append(f"environ.{method}")
            return getattr(dict, method)(environ, *args)

        return read

    # The environ's own methods, so that also a copy or an iteration of it (``dict(request.META)``) counts.
    environ = type("WatchedEnviron", (dict,), {
        method: watched(method) for method in ("__getitem__", "get", "items", "values", "keys", "copy", "__iter__")
    })

    def body(method):
        original = getattr(HttpRequest, method)

        def read(request, *args, **kwargs):
            seen.append(f"body.{method}")
            return original(request, *args, **kwargs)

        return read

    init = WSGIRequest.__init__
    with (
        mock.patch.object(WSGIRequest, "__init__", lambda request, env: init(request, environ(env))),
        mock.patch.object(HttpRequest, "read", body("read")),
        mock.patch.object(HttpRequest, "readline", body("readline")),
    ):
        yield seen


def routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "i18n/")):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    return list(walk(get_resolver().url_patterns))


def _pick(queryset, **prefer):
    """The object of the role's own unit if there is one, else the pilot's (which may be out of scope)."""
    queryset = queryset.order_by("pk")
    return queryset.filter(**prefer).first() or queryset.first()


def objects(unit):
    """One object of each kind, keyed by the route prefix that takes its id, from ``unit`` where it has one."""
    return {
        "units": unit,
        "estates": unit.building.estate,
        "communities": unit.building.estate.community,
        "households": _pick(unit.households, signatures__isnull=False),
        "contacts": _pick(Contact.objects.exclude(opinion_form_version=None), household__unit=unit),
        "rounds": _pick(ConsultationRound.objects, unit=unit),
        "notices": _pick(Notice.objects, unit=unit),
        "objections": _pick(Objection.objects, notice__unit=unit),
        "meetings": _pick(Meeting.objects.filter(community__isnull=True), units=unit),
        "actions": _pick(ActionItem.objects, units=unit),
        "works/charges": _pick(UtilityCharge.objects, unit=unit),
        "works/log": _pick(ConstructionLogEntry.objects.exclude(photo_version=None), unit=unit),
        "payments/entries": _pick(LedgerEntry.objects, unit=unit),
        "street": unit.building.estate.community.street,
        "exports/district": unit.building.estate.community.street.district,
        "scan_versions": ContractScanVersion.objects.filter(contract__unit=unit).order_by("pk").first()
        or ContractScanVersion.objects.order_by("pk").first(),
    }


def fill(route, objs, token):
    """The route with its converters replaced by the demo's ids; None when the demo lacks the object."""
    if "<" not in route:
        return "/" + route
    prefix = next((key for key in sorted(objs, key=len, reverse=True) if route.startswith(key + "/")), None)
    url = route
    if "<str:level>" in url:
        url = url.replace("<str:level>", "street").replace("<int:pk>", str(objs["street"].pk))
    if "<str:token>" in url:
        url = url.replace("<str:token>", token)
    if "<slug:key>" in url:
        url = url.replace("<slug:key>", "signed")
    if "<int:version_pk>" in url:  # a scan of the unit's own contract
        url = url.replace("<int:version_pk>", str(objs["scan_versions"].pk))
    if "<int:household_pk>" in url:
        url = url.replace("<int:household_pk>", str(objs["households"].pk))
    if "<int:pk>" in url:
        obj = objs.get(prefix)
        if obj is None:
            return None
        url = url.replace("<int:pk>", str(obj.pk))
    assert "<" not in url, url
    return "/" + url


def _home_units():
    pilot = Unit.objects.filter(building__estate__name=PILOT)
    own = pilot.get(building__number="1", number="1")  # led by unitlead, assigned to the elevator company
    street_unit = pilot.get(building__number="2", number="1")
    other = Unit.objects.filter(building__estate__community=User.objects.get(username="staff2").community).first()
    return {"admin": street_unit, "leader": street_unit, "staff": street_unit, "viewer": street_unit, "district": street_unit,
            "staff2": other, "unitlead": own, "elevator": own}


def add_route_objects():
    """The outsider of another street, each role's home unit, the public tokens; and what the demo lacks
    on the roles' own units: an objection, a signed opinion form, a contract scan."""
    other = Street.objects.create(name="东风街道")
    outsider = User.objects.create_user("outsider", password="x", role=Role.STREET_LEADER, street=other)
    staff = User.objects.get(username="staff")
    homes = _home_units()
    assert User.objects.get(username="elevator").company.assignments.filter(unit=homes["elevator"]).exists()
    assert homes["unitlead"].leaders.filter(username="unitlead").exists()
    # What the demo lacks on the roles' own units: an objection, a signed opinion form, a scan.
    own = homes["unitlead"]
    Objection.objects.create(
        notice=own.notices.order_by("pk").first(), objector="陈*", received_on=timezone.localdate(),
        content="—", recorded_by=staff, recorded_at=timezone.now(),
    )
    for unit in {homes["staff"], own, homes["staff2"]}:
        contact = Contact.objects.filter(household__unit=unit).order_by("pk").first()
        form = ContentFile(b"\x89PNG\r\n\x1a\n", name="form.png")
        contact.opinion_form_version = version_add(
            model=OpinionFormVersion, owner=contact, upload=form, content_type="image/png", by=staff
        )
        contact.save()
    for unit in {homes["staff"], own}:
        scan = ContentFile(b"%PDF-1.4\n%%EOF\n", name="scan.pdf")
        unit.contract.scan_version = version_add(
            model=ContractScanVersion, owner=unit.contract, upload=scan, content_type="application/pdf", by=staff
        )
        unit.contract.save()
    # Each role's own finished export job (我的导出), of its home unit's estate; a company's is refused.
    export_jobs = {}
    for username, unit in homes.items():
        estate = unit.building.estate
        job = ExportJob.objects.create(
            user=User.objects.get(username=username), kind=JobKind.STATUS_SHEETS, level="estate",
            scope_pk=estate.pk, scope_label=estate.name, language="zh-hans", status=JobStatus.DONE,
            units_done=1, units_total=1, filename="sheets.pdf", finished_at=timezone.now(),
        )
        job.file.save(job.filename, ContentFile(b"%PDF-1.4\n%%EOF\n"))
        export_jobs[username] = job
    tokens = {unit.pk: public_link_ensure(unit=unit, by=User.objects.filter(is_superuser=True).first()).token
              for unit in set(homes.values())}
    return {"outsider": outsider, "homes": homes, "tokens": tokens, "export_jobs": export_jobs}


def urls_for(username, demo):
    unit = demo["homes"][username]
    objs = objects(unit)
    objs["exports/jobs"] = demo["export_jobs"][username]  # a job is its asker's only
    return [(name, fill(route, objs, demo["tokens"][unit.pk])) for route, name in routes()]

