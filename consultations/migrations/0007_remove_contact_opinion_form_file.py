# The old single-file field, now that 0005 has made each stored form version 1 of its contact.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0006_existing_opinion_forms_become_version_1'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='contact',
            name='contact_form_type_known',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='opinion_form',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='opinion_form_type',
        ),
    ]
