# Scans become versions: the table and the pointer (0006 copies the old scans, 0007 drops the old field).
# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.db.models.deletion
import retrofit.documents
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0005_household_roster_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ContractScanVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('file', models.FileField(max_length=200, upload_to=retrofit.documents.document_path, verbose_name='file')),
                ('original_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                ('content_type', models.CharField(max_length=30, verbose_name='file type')),
                ('size', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('uploaded_at', models.DateTimeField(verbose_name='uploaded at')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scan_versions', to='units.contract', verbose_name='contract')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'contract scan version',
                'verbose_name_plural': 'contract scan versions',
                'ordering': ['contract', 'number'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='units_contractscanversion_number_valid'), models.CheckConstraint(condition=models.Q(('content_type__in', ('image/jpeg', 'image/png', 'application/pdf'))), name='units_contractscanversion_type_known'), models.CheckConstraint(condition=models.Q(('file', ''), _negated=True), name='units_contractscanversion_has_file'), models.UniqueConstraint(fields=('contract', 'number'), name='contractscanversion_unique_number')],
            },
        ),
        migrations.AddField(
            model_name='contract',
            name='scan_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.contractscanversion', verbose_name='scanned copy'),
        ),
    ]
