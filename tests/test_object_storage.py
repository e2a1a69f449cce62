"""Files in an S3-compatible object store: what a deployment with two or more app servers uses.

moto's server mode runs in this process on a free port of 127.0.0.1 (an S3 emulator: no network, no
account). The default storage is the one retrofit/settings.py builds from the RETROFIT_S3_* variables,
pointed at it. Staff upload a contract scan, an opinion form and a site photo and get the same bytes
back through the app's scope-checked views; the unit's file (a generated PDF) embeds the photo read back
from the store; a ledger waits for its preview in the store and is imported on confirmation. Nothing
lands in the local MEDIA_ROOT.
"""

import runpy
import socket
from io import BytesIO
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from consultations.models import Contact
from consultations.roster_import import pending_uploads
from demo.files import demo_png
from reports.models import ExportJob, JobStatus
from tests.consultations.roster_import.workbooks import flats, write_xlsx
from tests.factories import plan_for
from units import contracts
from units.models import Household, Stage, Unit
from works.models import ConstructionLogEntry

BUCKET = "retrofit-files"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = demo_png(4, 3, (255, 0, 0), (0, 0, 255))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 emulator for this module's tests, with the bucket created; its URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as env:
        # boto3 takes its keys from the environment, as in production (settings.py names none).
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield endpoint
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    """The bucket as boto3 sees it, emptied after the test."""
    store = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1").Bucket(BUCKET)
    yield store
    store.objects.all().delete()


@pytest.fixture
def object_storage(s3_endpoint, bucket, settings, tmp_path, monkeypatch):
    """The default storage as settings.py builds it from RETROFIT_S3_*, and an empty local MEDIA_ROOT."""
    monkeypatch.setenv("RETROFIT_S3_BUCKET", BUCKET)
    monkeypatch.setenv("RETROFIT_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("RETROFIT_S3_REGION", "us-east-1")
    monkeypatch.setenv("RETROFIT_S3_ADDRESSING_STYLE", "path")
    built = runpy.run_path(str(Path(django_settings.BASE_DIR) / "retrofit" / "settings.py"))
    settings.STORAGES = {**settings.STORAGES, "default": built["STORAGES"]["default"]}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    yield bucket
    assert list(settings.MEDIA_ROOT.iterdir()) == []  # nothing was written to the local folder


def stored(bucket, prefix: str) -> dict[str, bytes]:
    return {item.key: item.get()["Body"].read() for item in bucket.objects.filter(Prefix=prefix)}


def is_private(bucket, key: str) -> bool:
    grants = bucket.Object(key).Acl().grants
    return all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)


def served(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_settings_build_an_s3_storage_only_when_a_bucket_is_named(object_storage, monkeypatch):
    options = django_settings.STORAGES["default"]["OPTIONS"]
    assert django_settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["default_acl"], options["file_overwrite"]) == (BUCKET, "private", False)
    monkeypatch.delenv("RETROFIT_S3_BUCKET")
    local = runpy.run_path(str(Path(django_settings.BASE_DIR) / "retrofit" / "settings.py"))["STORAGES"]["default"]
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_contract_scan_goes_to_the_store_and_comes_back_through_the_scoped_view(client, world, object_storage):
    plan_for(world.unit)
    Unit.objects.filter(pk=world.unit.pk).update(stage=Stage.SIGNING)
    world.unit.refresh_from_db()
    contracts.contract_start(unit=world.unit, by=world.users["staff"])
    client.force_login(world.users["staff"])
    scan = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("unit_contract", args=[world.unit.pk]), {"amount": "600000.00", "scan": scan})
    assert response.status_code == 302
    [(key, content)] = stored(object_storage, "contracts/").items()
    assert content == PDF and is_private(object_storage, key)
    assert served(client, reverse("contract_scan", args=[world.unit.pk])) == PDF
    client.force_login(world.users["outsider"])
    assert client.get(reverse("contract_scan", args=[world.unit.pk])).status_code == 404


def test_an_opinion_form_goes_to_the_store_and_comes_back(client, world, object_storage):
    client.force_login(world.users["staff"])
    flat = world.flats[9]
    upload = SimpleUploadedFile("意见表.png", PNG, content_type="image/png")
    response = client.post(
        reverse("contact_new", args=[flat.pk]), {"channel": "visit", "outcome": "form_signed", "opinion_form": upload}
    )
    assert response.status_code == 302
    contact = Contact.objects.get(household=flat)
    assert stored(object_storage, "opinion_forms/") == {contact.opinion_form_version.file.name: PNG}
    response = client.get(reverse("contact_opinion_form", args=[contact.pk]))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_a_site_photo_goes_to_the_store_and_a_lost_one_is_a_404(client, world, object_storage):
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("works_log_add", args=[world.unit.pk]),
        {"date": timezone.localdate().isoformat(), "text": "基坑开挖", "photo": SimpleUploadedFile("现场.png", PNG)},
    )
    assert response.status_code == 302
    entry = ConstructionLogEntry.objects.get()
    name = entry.photo_version.file.name
    assert name.startswith(f"works/log/{world.unit.pk}/") and stored(object_storage, "works/") == {name: PNG}
    url = reverse("works_log_photo", args=[entry.pk])
    assert served(client, url) == PNG
    # The unit's file, a generated PDF, embeds the photo it reads back from the store.
    document = PdfReader(BytesIO(served(client, reverse("unit_file_pdf", args=[world.unit.pk]))))
    assert any(page.images for page in document.pages)
    object_storage.Object(name).delete()
    assert client.get(url).status_code == 404


def _upload_ledger(client, tmp_path, count=4):
    path = write_xlsx(tmp_path / "台账.xlsx", flats(count))
    file = SimpleUploadedFile("台账.xlsx", path.read_bytes(), content_type=XLSX)
    return client.post(reverse("import_upload"), {"file": file})


def test_a_ledger_waits_in_the_store_between_preview_and_confirmation(client, world, object_storage, tmp_path):
    client.force_login(world.users["staff"])
    before = Household.objects.count()
    response = _upload_ledger(client, tmp_path)
    assert response.status_code == 200 and response.context["report"].households_created == 4
    [key] = stored(object_storage, "imports/")
    assert Household.objects.count() == before  # the preview wrote nothing
    response = client.post(reverse("import_confirm"), {"action": "confirm"})
    assert response.status_code == 302
    assert Household.objects.count() == before + 4
    assert stored(object_storage, "imports/") == {}  # removed once imported


def test_a_ledger_left_waiting_is_removed_from_the_store(client, world, object_storage, tmp_path):
    client.force_login(world.users["staff"])
    assert _upload_ledger(client, tmp_path).status_code == 200
    assert pending_uploads.remove_stale(max_age=3600) == 0
    assert default_storage.listdir("imports")[1]
    assert pending_uploads.remove_stale(max_age=-60) == 1  # a cutoff a minute ahead: every ledger is stale
    response = client.post(reverse("import_confirm"), {"action": "confirm"})
    assert response.status_code == 422 and stored(object_storage, "imports/") == {}


def test_a_ledger_removed_by_another_request_meanwhile_is_skipped(object_storage, monkeypatch):
    """Two uploads clear stale ledgers at once: a name listed by one and removed by the other is no error."""
    default_storage.exists("imports/")  # the lazy storage, built from the settings
    store = type(default_storage._wrapped)
    listed = store.listdir
    monkeypatch.setattr(store, "listdir", lambda self, folder: (listed(self, folder)[0], ["gone.xlsx"]))
    assert pending_uploads.remove_stale(max_age=-60) == 0


def test_a_bulk_export_is_kept_in_the_store_and_downloaded_through_its_job(
    client, world, object_storage, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(world.users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exports/street/{world.street.pk}/status-sheets/")
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    [(key, content)] = stored(object_storage, "").items()
    assert content.startswith(b"%PDF") and is_private(object_storage, key)
    assert served(client, reverse("export_job_download", args=[job.pk])) == content
    client.force_login(world.users["staff"])  # the file is its asker's alone
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
