"""Contacts with households: a few taps, an optional signed opinion form, and a vote that cites the contact."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.forms import VoteForm
from consultations.models import Contact, ContactChannel, Vote, VoteChange
from retrofit import uploads
from tests.factories import WRITES_THE_UNIT
from units.models import Household

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _log(world, household=None, **kwargs):
    args = {"household": household or world.flats[9], "channel": "visit", "outcome": "talked", "by": world.users["staff"]}
    args.update(kwargs)
    return services.contact_log(**args)


def test_a_contact_is_logged_with_who_when_and_what_happened(world):
    contact = _log(world, note="家里老人同意，子女还在考虑", companions="302 王阿姨")
    assert (contact.made_by, contact.channel, contact.outcome) == (world.users["staff"], "visit", "talked")
    assert contact.note == "家里老人同意，子女还在考虑"
    assert abs(contact.contacted_at - timezone.now()) < timedelta(seconds=5)
    assert not VoteChange.objects.filter(household=world.flats[9]).exists()


def test_the_contact_belongs_to_the_units_current_round(world):
    r = services.round_open(
        unit=world.unit, deadline=timezone.localdate(), channels=["notice"], by=world.users["staff"]
    )
    assert _log(world).round == r


def test_a_vote_given_in_a_contact_is_recorded_citing_it(world):
    flat = world.flats[9]  # undecided
    contact = _log(world, household=flat, channel="phone", outcome="talked", vote="agree", note="电话里表示同意")
    assert Vote.objects.get(household=flat).value == "agree"
    change = VoteChange.objects.get(household=flat)
    assert (change.contact, change.before, change.after, change.reason) == (contact, "undecided", "agree", "电话里表示同意")


def test_the_vote_of_a_multi_flat_owner_cites_the_contact_on_each_flat(world):
    first, second = world.flats[9], world.flats[10]
    Household.objects.filter(pk=second.pk).update(owner_name=first.owner_name, phone=first.phone)
    contact = _log(world, household=first, vote="agree")
    assert set(VoteChange.objects.filter(contact=contact).values_list("household_id", flat=True)) == {first.pk, second.pk}


def test_a_vote_cannot_cite_a_contact_with_another_owner(world):
    contact = _log(world, household=world.flats[10])
    with pytest.raises(ValueError):
        services.vote_record(household=world.flats[9], value="agree", by=world.users["staff"], contact=contact)
    assert Vote.objects.get(household=world.flats[9]).value == "undecided"


def test_existing_callers_of_vote_record_still_work(world):
    services.vote_record(household=world.flats[9], value="oppose", reason="", by=world.users["staff"])
    assert VoteChange.objects.get(household=world.flats[9]).contact is None


def test_a_contact_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        _log(world, contacted_at=timezone.now() + timedelta(hours=2))


@pytest.mark.parametrize(("content", "kind", "ext"), [(JPEG, "image/jpeg", ".jpg"), (PNG, "image/png", ".png"), (PDF, "application/pdf", ".pdf")])
def test_a_signed_opinion_form_is_stored_by_its_real_type(world, content, kind, ext):
    upload = SimpleUploadedFile("张三的意见表.bin", content, content_type="application/octet-stream")
    contact = _log(world, outcome="form_signed", opinion_form=upload)
    form = contact.opinion_form_version
    assert form.content_type == kind
    assert form.file.name.startswith("opinion_forms/") and form.file.name.endswith(ext)
    assert "张三" not in form.file.name  # never the uploaded name


def test_an_opinion_form_is_kept_as_version_1_with_who_size_and_hash(world):
    import hashlib

    from consultations.models import OpinionFormVersion

    contact = _log(world, outcome="form_signed", opinion_form=SimpleUploadedFile("意见表.pdf", PDF, content_type="application/pdf"))
    form = OpinionFormVersion.objects.get(contact=contact)
    assert contact.opinion_form_version == form
    assert (form.number, form.original_name, form.size, form.sha256, form.uploaded_by) == (
        1, "意见表.pdf", len(PDF), hashlib.sha256(PDF).hexdigest(), world.users["staff"]
    )
    assert abs(form.uploaded_at - timezone.now()) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("form.jpg", b"<html>not an image</html>", uploads.OPINION_FORM.wrong_type),  # the extension lies
        ("form.gif", b"GIF89a" + b"\x00" * 20, uploads.OPINION_FORM.wrong_type),
        ("form.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), uploads.OPINION_FORM.too_big),
    ],
)
def test_bad_opinion_forms_are_refused_and_nothing_is_logged(world, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        _log(world, opinion_form=upload)
    assert message in refused.value.messages
    assert not Contact.objects.exists()


def test_exactly_five_megabytes_is_accepted(world):
    upload = SimpleUploadedFile("f.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024 - 5), content_type="application/pdf")
    assert _log(world, opinion_form=upload).opinion_form_version.content_type == "application/pdf"


def test_contact_page_logs_in_a_few_fields_and_returns_to_the_visit_list(client, world):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    back = reverse("community_visits", args=[world.community.pk]) + f"#visit-{flat.pk}"
    response = client.post(
        reverse("contact_new", args=[flat.pk]),
        {"channel": "visit", "outcome": "talked", "vote": "agree", "note": "", "next": back},
    )
    assert response.status_code == 302 and response.url == back
    assert VoteChange.objects.get(household=flat).contact == Contact.objects.get(household=flat)


def test_contact_page_refuses_an_outside_next_url(client, world):
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("contact_new", args=[world.flats[9].pk]),
        {"channel": "phone", "outcome": "no_answer", "next": "https://evil.example/"},
    )
    assert response.url == reverse("unit_detail", args=[world.unit.pk])


def test_contact_page_shows_the_upload_error_on_the_field(client, world):
    client.force_login(world.users["staff"])
    upload = SimpleUploadedFile("form.png", b"MZ\x90\x00 windows exe", content_type="image/png")
    response = client.post(
        reverse("contact_new", args=[world.flats[9].pk]),
        {"channel": "visit", "outcome": "form_signed", "opinion_form": upload},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["opinion_form"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(("role", "status"), WRITES_THE_UNIT.items())
def test_contact_page_by_role(client, world, role, status):
    client.force_login(world.users[role])
    url = reverse("contact_new", args=[world.flats[9].pk])
    assert client.post(url, {"channel": "phone", "outcome": "talked"}).status_code == status
    assert Contact.objects.exists() is (status == 302)


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 200), ("staff", 200), ("sibling_staff", 404), ("unit_leader", 403), ("viewer", 403), ("outsider", 404)],
)
def test_the_opinion_form_is_served_only_through_the_scoped_view(client, world, role, status):
    contact = _log(world, opinion_form=SimpleUploadedFile("x.png", PNG, content_type="image/png"))
    client.force_login(world.users[role])
    response = client.get(reverse("contact_opinion_form", args=[contact.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PNG


def test_media_is_not_served_directly(client, world):
    contact = _log(world, opinion_form=SimpleUploadedFile("x.png", PNG, content_type="image/png"))
    client.force_login(world.users["staff"])
    assert client.get("/media/" + contact.opinion_form_version.file.name).status_code == 404


def test_the_vote_form_offers_the_households_recent_contacts_only(world):
    flat, other = world.flats[9], world.flats[10]
    recent = _log(world, household=flat, channel=ContactChannel.PHONE)
    old = _log(world, household=flat, contacted_at=timezone.now() - timedelta(days=45))
    _log(world, household=other)
    form = VoteForm(household=flat)
    assert list(form.fields["contact"].queryset) == [recent]
    assert old not in form.fields["contact"].queryset
    bound = VoteForm({"value": "agree", "version": 1, "contact": recent.pk}, household=flat)
    assert bound.is_valid() and bound.cleaned_data["contact"] == recent
    assert VoteForm({"value": "agree", "version": 1}).is_valid()  # existing callers, no household


def test_the_vote_form_refuses_another_households_contact(world):
    contact = _log(world, household=world.flats[10])
    form = VoteForm({"value": "agree", "version": 1, "contact": contact.pk}, household=world.flats[9])
    assert not form.is_valid() and "contact" in form.errors
