# The old single-file field, now that 0004 has made each stored photo version 1 of its entry.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0004_existing_photos_become_version_1'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='constructionlogentry',
            name='logentry_photo_has_type',
        ),
        migrations.RemoveField(
            model_name='constructionlogentry',
            name='photo',
        ),
        migrations.RemoveField(
            model_name='constructionlogentry',
            name='photo_type',
        ),
    ]
