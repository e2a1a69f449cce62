"""The notice printout carries the unit's QR code, made when the unit entered notice, never by the GET."""

from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from residents import services
from residents.models import UnitPublicLink


def _notice(world):
    today = timezone.localdate()
    consultation_services.round_open(unit=world.unit, deadline=today, channels=["notice"], by=world.users["staff"])
    return consultation_services.notice_start(
        unit=world.unit, draft_signed_on=today, starts_on=today, plan_summary="方案", by=world.users["staff"]
    )


def test_a_unit_entering_notice_gets_its_public_link_and_the_printout_shows_it(client, world):
    notice = _notice(world)
    link = UnitPublicLink.objects.get(unit=world.unit, revoked_at__isnull=True)
    assert link.created_by == world.users["staff"]
    client.force_login(world.users["staff"])
    body = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert "data:image/svg+xml" in body and link.token in body
    assert UnitPublicLink.objects.filter(unit=world.unit).count() == 1


def test_printing_the_notice_writes_nothing(client, world):
    notice = _notice(world)
    services.public_link_revoke(unit=world.unit, by=world.users["staff"])
    before = list(UnitPublicLink.objects.order_by("pk").values_list("pk", "revoked_at"))
    client.force_login(world.users["staff"])
    body = client.get(reverse("notice_print", args=[notice.pk])).content.decode()
    assert "data:image/svg+xml" not in body  # no current link: no QR, and none is made
    assert list(UnitPublicLink.objects.order_by("pk").values_list("pk", "revoked_at")) == before
