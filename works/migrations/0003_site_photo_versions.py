# Site photos become versions: the table and the pointer (0004 copies the old photos, 0005 drops the old field).
# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.db.models.deletion
import retrofit.documents
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0002_subsidy_application'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SitePhotoVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('file', models.FileField(max_length=200, upload_to=retrofit.documents.document_path, verbose_name='file')),
                ('original_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                ('content_type', models.CharField(max_length=30, verbose_name='file type')),
                ('size', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('uploaded_at', models.DateTimeField(verbose_name='uploaded at')),
            ],
            options={
                'verbose_name': 'site photo version',
                'verbose_name_plural': 'site photo versions',
                'ordering': ['entry', 'number'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='works_sitephotoversion_number_valid'), models.CheckConstraint(condition=models.Q(('content_type__in', ('image/jpeg', 'image/png', 'application/pdf'))), name='works_sitephotoversion_type_known'), models.CheckConstraint(condition=models.Q(('file', ''), _negated=True), name='works_sitephotoversion_has_file'), models.CheckConstraint(condition=models.Q(('content_type__in', ['image/jpeg', 'image/png'])), name='sitephotoversion_is_image')],
            },
        ),
        migrations.AddField(
            model_name='sitephotoversion',
            name='entry',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='photo_versions', to='works.constructionlogentry', verbose_name='construction log entry'),
        ),
        migrations.AddField(
            model_name='sitephotoversion',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
        migrations.AddField(
            model_name='constructionlogentry',
            name='photo_version',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='works.sitephotoversion', verbose_name='photo'),
        ),
        migrations.AddConstraint(
            model_name='sitephotoversion',
            constraint=models.UniqueConstraint(fields=('entry', 'number'), name='sitephotoversion_unique_number'),
        ),
    ]
