"""Uploaded papers keep every version: nothing recorded is ever lost.

A signed contract scan, an opinion form, a site photo: each upload becomes a version row (who, when, the
original file name, size, sha256, the type told by its first bytes) of its owner, numbered 1, 2, 3… per
owner. The owner points at its current version; a replacement adds a version and moves the pointer,
"clearing" only empties the pointer. Neither ever deletes a file or a version row. Files are written and
read through the field's storage (never an os path), and served only by views that check scope first
(``version_response``).

Each owner app declares its pointer with ``current_version`` and a concrete ``DocumentVersion`` with a
foreign key to its owner (``owner_key``) named by ``OWNER_FIELD``, its ``Meta`` from ``versions_meta``, its
``KIND`` from the upload spec (retrofit/uploads.py: types, size limit, folder, cache policy) and, where its
folder is split further, a ``scope()``; ``version_add`` stores an upload as the next one.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Max, Q
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import uploads
from .fields import by_user, protected_key

FILE_MISSING = _("The stored file is missing.")


def document_path(instance: DocumentVersion, filename: str) -> str:
    """The ``upload_to`` of every stored paper: the spec's one naming rule (``uploads.stored_name``)."""
    return uploads.stored_name(
        instance.KIND, instance.content_type, scope=instance.scope(), when=instance.uploaded_at
    )


class DocumentVersion(models.Model):
    """One stored version of an uploaded paper. Never updated or deleted once written."""

    OWNER_FIELD = ""  # the concrete model's foreign key to its owner
    KIND: uploads.Kind  # what the spec allows and how it is stored and served (retrofit/uploads.py)

    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("file type"), max_length=30)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = by_user(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_valid"),
            models.CheckConstraint(
                condition=Q(content_type__in=uploads.DOCUMENTS), name="%(app_label)s_%(class)s_type_known"
            ),
            models.CheckConstraint(condition=~Q(file=""), name="%(app_label)s_%(class)s_has_file"),
        ]

    def __str__(self):
        return f"v{self.number} {self.original_name}".strip()

    def scope(self) -> str:
        """A subfolder of the kind's folder, or "" (the default) for none."""
        return ""

    @property
    def label(self) -> str:
        """How the change log names this version: the original file name and the version number."""
        return f"{self.original_name} (v{self.number})".strip()

    @property
    def extension(self) -> str:
        return uploads.EXTENSIONS.get(self.content_type, "")


def current_version(version_model: str, verbose_name, **kwargs) -> models.ForeignKey:
    """The owner's pointer to its current version: empty before the first upload and once cleared; a version
    pointed at is never deleted, and the versions are listed from the owner's side (``owner_key``) instead."""
    return protected_key(version_model, verbose_name, related_name="+", **kwargs)


def owner_key(owner, related_name: str, verbose_name) -> models.ForeignKey:
    """A concrete version's foreign key to its owner: an owner with versions is never deleted."""
    return models.ForeignKey(
        owner, on_delete=models.PROTECT, related_name=related_name, verbose_name=verbose_name
    )


def versions_meta(owner_field: str, singular, plural, *checks: models.BaseConstraint) -> type:
    """The ``Meta`` of a concrete version: the base's checks, each number once per owner, by owner and number.

    ``checks`` adds the model's own constraints (a photo's types, say).
    """

    class Meta(DocumentVersion.Meta):
        verbose_name = singular
        verbose_name_plural = plural
        ordering = [owner_field, "number"]
        constraints = [
            *DocumentVersion.Meta.constraints,
            models.UniqueConstraint(fields=[owner_field, "number"], name="%(class)s_unique_number"),
            *checks,
        ]

    return Meta


def _digest(upload) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        sha.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return sha.hexdigest(), size


def version_add(*, model: type[DocumentVersion], owner, upload, content_type: str, by, when=None) -> DocumentVersion:
    """Store ``upload`` as the owner's next version (the caller has run ``uploads.check`` on it).

    Call inside the transaction that moves the owner's pointer, with the owner's row locked, so two
    uploads at once number 1 and 2 (the unique constraint refuses a duplicate number regardless).
    """
    when = when or timezone.now()
    owner_filter = {model.OWNER_FIELD: owner}
    number = (model.objects.filter(**owner_filter).aggregate(n=Max("number"))["n"] or 0) + 1
    sha256, size = _digest(upload)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    version = model(
        **owner_filter, number=number, original_name=name, content_type=content_type, size=size, sha256=sha256,
        uploaded_by=by, uploaded_at=when,
    )
    # Written through the field's storage: MEDIA_ROOT, or the object store all app servers share (settings.py).
    version.file.save(name or "upload", upload, save=False)
    version.save()
    return version


def version_response(version: DocumentVersion, *, filename: str | None = None) -> FileResponse:
    """The one response for a stored private file: inline, cached as its kind says, never sniffed.

    The caller has already checked scope.
    """
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(FILE_MISSING) from missing
    response = FileResponse(
        handle, content_type=version.content_type, filename=filename or version.original_name or None
    )
    response["Cache-Control"] = version.KIND.cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def existing_file_facts(storage, name: str) -> dict:
    """Type, size and sha256 of a file already in storage, for the migrations that make it version 1.

    A file missing from storage keeps its row (the name is all that is left of it): size 0, no hash, and
    the type its extension names.
    """
    by_extension = {".jpg": uploads.JPEG, ".jpeg": uploads.JPEG, ".png": uploads.PNG, ".pdf": uploads.PDF}
    guessed = by_extension.get("." + name.rsplit(".", 1)[-1].lower() if "." in name else "", uploads.PDF)
    try:
        with storage.open(name, "rb") as handle:
            sha256, size = _digest(handle)
            content_type = uploads.sniff_file(handle) or guessed
    except FileNotFoundError:
        return {"content_type": guessed, "size": 0, "sha256": ""}
    return {"content_type": content_type, "size": size, "sha256": sha256}
