# Each log entry's stored photo becomes version 1 of its photos; the file stays where it is.

from django.db import migrations

from retrofit.documents import existing_file_facts


def forwards(apps, schema_editor):
    ConstructionLogEntry = apps.get_model("works", "ConstructionLogEntry")
    SitePhotoVersion = apps.get_model("works", "SitePhotoVersion")
    for entry in ConstructionLogEntry.objects.exclude(photo="").exclude(photo__isnull=True).iterator():
        facts = existing_file_facts(entry.photo.storage, entry.photo.name)
        if entry.photo_type:
            facts["content_type"] = entry.photo_type  # sniffed at upload
        version = SitePhotoVersion.objects.create(
            entry=entry,
            number=1,
            file=entry.photo.name,
            original_name="",  # never kept before
            uploaded_by_id=entry.by_id,
            uploaded_at=entry.created_at,
            **facts,
        )
        ConstructionLogEntry.objects.filter(pk=entry.pk).update(photo_version=version)


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0003_site_photo_versions'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
