# Opinion forms become versions: the table and the pointer (0005 copies the old forms, 0006 drops the old field).
# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.db.models.deletion
import retrofit.documents
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0004_notice_backdate_reason'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OpinionFormVersion',
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
                'verbose_name': 'opinion form version',
                'verbose_name_plural': 'opinion form versions',
                'ordering': ['contact', 'number'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='consultations_opinionformversion_number_valid'), models.CheckConstraint(condition=models.Q(('content_type__in', ('image/jpeg', 'image/png', 'application/pdf'))), name='consultations_opinionformversion_type_known'), models.CheckConstraint(condition=models.Q(('file', ''), _negated=True), name='consultations_opinionformversion_has_file')],
            },
        ),
        migrations.AddField(
            model_name='opinionformversion',
            name='contact',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='opinion_form_versions', to='consultations.contact', verbose_name='contact'),
        ),
        migrations.AddField(
            model_name='opinionformversion',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
        migrations.AddField(
            model_name='contact',
            name='opinion_form_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consultations.opinionformversion', verbose_name='signed opinion form (photo or PDF)'),
        ),
        migrations.AddConstraint(
            model_name='opinionformversion',
            constraint=models.UniqueConstraint(fields=('contact', 'number'), name='opinionformversion_unique_number'),
        ),
    ]
