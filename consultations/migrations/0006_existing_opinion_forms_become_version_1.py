# Each contact's stored opinion form becomes version 1 of its forms; the file stays where it is.

from django.db import migrations

from retrofit.documents import existing_file_facts


def forwards(apps, schema_editor):
    Contact = apps.get_model("consultations", "Contact")
    OpinionFormVersion = apps.get_model("consultations", "OpinionFormVersion")
    for contact in Contact.objects.exclude(opinion_form="").exclude(opinion_form__isnull=True).iterator():
        facts = existing_file_facts(contact.opinion_form.storage, contact.opinion_form.name)
        if contact.opinion_form_type:
            facts["content_type"] = contact.opinion_form_type  # sniffed at upload
        version = OpinionFormVersion.objects.create(
            contact=contact,
            number=1,
            file=contact.opinion_form.name,
            original_name="",  # never kept before: it may carry a resident's name
            uploaded_by_id=contact.made_by_id,
            uploaded_at=contact.contacted_at,
            **facts,
        )
        Contact.objects.filter(pk=contact.pk).update(opinion_form_version=version)


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0005_opinion_form_versions'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
