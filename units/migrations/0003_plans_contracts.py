# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.core.validators
import django.db.models.deletion
import retrofit.documents
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0002_household_floor_within_building'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Contract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(0)], verbose_name='contract amount (yuan)')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='contract date')),
                ('elevator_company', models.CharField(blank=True, max_length=100, verbose_name='elevator company')),
                ('construction_company', models.CharField(blank=True, max_length=100, verbose_name='construction company')),
                ('community_signed_on', models.DateField(blank=True, null=True, verbose_name='community signed on')),
                ('elevator_company_signed_on', models.DateField(blank=True, null=True, verbose_name='elevator company signed on')),
                ('construction_company_signed_on', models.DateField(blank=True, null=True, verbose_name='construction company signed on')),
                ('scan', models.FileField(blank=True, upload_to=retrofit.documents.document_path, verbose_name='scanned copy')),
                ('scan_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
            ],
            options={
                'verbose_name': 'contract',
                'verbose_name_plural': 'contracts',
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='contract_amount_valid'), models.CheckConstraint(condition=models.Q(('elevator_company_signed_on__isnull', True), models.Q(('elevator_company', ''), _negated=True), _connector='OR'), name='contract_elevator_company_named'), models.CheckConstraint(condition=models.Q(('construction_company_signed_on__isnull', True), models.Q(('construction_company', ''), _negated=True), _connector='OR'), name='contract_construction_company_named')],
            },
        ),
        migrations.CreateModel(
            name='ContractChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=40, verbose_name='field')),
                ('before', models.TextField(blank=True, verbose_name='before')),
                ('after', models.TextField(blank=True, verbose_name='after')),
                ('changed_at', models.DateTimeField(verbose_name='changed at')),
            ],
            options={
                'verbose_name': 'contract change',
                'verbose_name_plural': 'contract changes',
                'ordering': ['-changed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Plan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='version')),
                ('entry_type', models.CharField(choices=[('flat', 'Flat-floor entry'), ('half', 'Half-floor entry')], default='flat', max_length=10, verbose_name='entry type')),
                ('stops', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='stops')),
                ('shaft_position', models.CharField(blank=True, max_length=100, verbose_name='shaft position')),
                ('floor_height', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='floor height (m)')),
                ('spacing', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='spacing to the next building (m)')),
                ('total_cost', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='total cost (yuan)')),
                ('subsidy', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='subsidy (yuan)')),
                ('subsidy_from_policy', models.BooleanField(default=True, verbose_name="subsidy from the street's policy")),
                ('method', models.CharField(choices=[('floor', 'By floor coefficient'), ('floor_area', 'By floor coefficient × area')], default='floor', max_length=12, verbose_name='split method')),
                ('coefficients', models.JSONField(default=dict, verbose_name='floor coefficients')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='what changed')),
                ('created_at', models.DateTimeField(verbose_name='saved at')),
                ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='signed (frozen) at')),
            ],
            options={
                'verbose_name': 'plan',
                'verbose_name_plural': 'plans',
                'ordering': ['unit', '-version'],
                'constraints': [models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='plan_version_positive'), models.CheckConstraint(condition=models.Q(('stops__gte', 1), ('stops__lte', 60)), name='plan_stops_range'), models.CheckConstraint(condition=models.Q(('total_cost__gte', 0), ('subsidy__gte', 0), ('subsidy__lte', models.F('total_cost'))), name='plan_money_valid'), models.CheckConstraint(condition=models.Q(('method__in', ['floor', 'floor_area'])), name='plan_method_valid'), models.CheckConstraint(condition=models.Q(('entry_type__in', ['flat', 'half'])), name='plan_entry_type_valid')],
            },
        ),
        migrations.CreateModel(
            name='PlanShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('room', models.CharField(max_length=20, verbose_name='room')),
                ('floor', models.PositiveSmallIntegerField(verbose_name='floor')),
                ('area', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='registered area (m²)')),
                ('coefficient', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='coefficient')),
                ('relief', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='hardship relief (yuan)')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='share (yuan)')),
            ],
            options={
                'verbose_name': 'cost share',
                'verbose_name_plural': 'cost shares',
                'ordering': ['plan', '-floor', 'room'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gte', 0), ('relief__gte', 0), ('coefficient__gte', 0)), name='planshare_amounts_valid')],
            },
        ),
        migrations.CreateModel(
            name='RunningCost',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.CharField(help_text='Year and month, e.g. 2026-10.', max_length=7, validators=[django.core.validators.RegexValidator('^[0-9]{4}-(0[1-9]|1[0-2])$')], verbose_name='period')),
                ('electricity', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='electricity (yuan)')),
                ('maintenance', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12, verbose_name='maintenance (yuan)')),
                ('method', models.CharField(choices=[('floor', 'By floor coefficient'), ('floor_area', 'By floor coefficient × area')], default='floor', max_length=12, verbose_name='split method')),
                ('coefficients', models.JSONField(default=dict, verbose_name='floor coefficients')),
                ('created_at', models.DateTimeField(verbose_name='saved at')),
            ],
            options={
                'verbose_name': 'running cost',
                'verbose_name_plural': 'running costs',
                'ordering': ['unit', '-created_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('electricity__gte', 0), ('maintenance__gte', 0)), name='runningcost_amounts_valid'), models.CheckConstraint(condition=models.Q(('method__in', ['floor', 'floor_area'])), name='runningcost_method_valid'), models.CheckConstraint(condition=models.Q(('period__regex', '^[0-9]{4}-(0[1-9]|1[0-2])$')), name='runningcost_period_format')],
            },
        ),
        migrations.CreateModel(
            name='Signature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Not signed yet'), ('signed', 'Signed'), ('refused', 'Refused')], default='pending', max_length=10, verbose_name='status')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='date')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
            ],
            options={
                'verbose_name': 'signature',
                'verbose_name_plural': 'signatures',
                'ordering': ['contract', '-household__floor', 'household__room'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'signed', 'refused'])), name='signature_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'signed'), _negated=True), ('signed_on__isnull', False), _connector='OR'), name='signature_signed_has_date'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'pending'), _negated=True), ('signed_on__isnull', True), _connector='OR'), name='signature_pending_has_no_date')],
            },
        ),
        migrations.AddField(
            model_name='street',
            name='default_coefficients',
            field=models.CharField(blank=True, help_text='Floor:coefficient pairs, e.g. 1:0, 2:1.5, 3:4. Empty: 1F 0, 2F 1.5, 3F 4, 4F 9, 5F 15, 6F 20.5.', max_length=500, verbose_name='default floor coefficients'),
        ),
        migrations.AddField(
            model_name='street',
            name='subsidy_amount',
            field=models.DecimalField(decimal_places=2, default=Decimal('200000.00'), max_digits=12, validators=[django.core.validators.MinValueValidator(0)], verbose_name='fixed subsidy (yuan)'),
        ),
        migrations.AddField(
            model_name='street',
            name='subsidy_cap',
            field=models.DecimalField(blank=True, decimal_places=2, default=Decimal('280000.00'), help_text='Leave empty for no cap.', max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='subsidy cap (yuan)'),
        ),
        migrations.AddField(
            model_name='street',
            name='subsidy_kind',
            field=models.CharField(choices=[('fixed', 'Fixed sum'), ('percent', 'Percentage of the total cost, with a cap')], default='percent', max_length=10, verbose_name='subsidy rule'),
        ),
        migrations.AddField(
            model_name='street',
            name='subsidy_percent',
            field=models.DecimalField(decimal_places=2, default=Decimal('40.00'), max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='subsidy percentage'),
        ),
        migrations.AddConstraint(
            model_name='street',
            constraint=models.CheckConstraint(condition=models.Q(('subsidy_kind__in', ['fixed', 'percent']), ('subsidy_amount__gte', 0), ('subsidy_percent__gte', 0), ('subsidy_percent__lte', 100), models.Q(('subsidy_cap__isnull', True), ('subsidy_cap__gte', 0), _connector='OR')), name='street_subsidy_valid'),
        ),
        migrations.AddField(
            model_name='contract',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AddField(
            model_name='contract',
            name='unit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='contract', to='units.unit', verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='contractchange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AddField(
            model_name='contractchange',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='units.contract'),
        ),
        migrations.AddField(
            model_name='contractchange',
            name='household',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.household', verbose_name='household'),
        ),
        migrations.AddField(
            model_name='plan',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
        ),
        migrations.AddField(
            model_name='plan',
            name='signed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='frozen by'),
        ),
        migrations.AddField(
            model_name='plan',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='units.unit', verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='contract',
            name='plan',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='contract', to='units.plan', verbose_name='signed plan'),
        ),
        migrations.AddField(
            model_name='planshare',
            name='household',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_shares', to='units.household', verbose_name='household'),
        ),
        migrations.AddField(
            model_name='planshare',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shares', to='units.plan', verbose_name='plan'),
        ),
        migrations.AddField(
            model_name='runningcost',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
        ),
        migrations.AddField(
            model_name='runningcost',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='running_costs', to='units.plan', verbose_name='basis plan'),
        ),
        migrations.AddField(
            model_name='runningcost',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='running_costs', to='units.unit', verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='signature',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='units.contract', verbose_name='contract'),
        ),
        migrations.AddField(
            model_name='signature',
            name='household',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='units.household', verbose_name='household'),
        ),
        migrations.AddIndex(
            model_name='contractchange',
            index=models.Index(fields=['contract', '-changed_at'], name='contractchange_contract_time'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.UniqueConstraint(fields=('unit', 'version'), name='plan_unique_version_in_unit'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.UniqueConstraint(condition=models.Q(('signed_at__isnull', False)), fields=('unit',), name='plan_one_signed_per_unit'),
        ),
        migrations.AddIndex(
            model_name='planshare',
            index=models.Index(fields=['household'], name='planshare_household'),
        ),
        migrations.AddConstraint(
            model_name='planshare',
            constraint=models.UniqueConstraint(fields=('plan', 'household'), name='planshare_unique_household'),
        ),
        migrations.AddConstraint(
            model_name='runningcost',
            constraint=models.UniqueConstraint(fields=('unit', 'period'), name='runningcost_unique_period'),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(fields=('contract', 'household'), name='signature_unique_household'),
        ),
    ]
