# The old single-file field, now that 0006 has made each stored scan version 1 of its contract.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0007_existing_scans_become_version_1'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='contract',
            name='scan',
        ),
        migrations.RemoveField(
            model_name='contract',
            name='scan_name',
        ),
    ]
