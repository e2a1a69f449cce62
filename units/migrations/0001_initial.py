# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Community',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
            ],
            options={
                'verbose_name': 'community',
                'verbose_name_plural': 'communities',
                'ordering': ['street__name', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Estate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('is_pilot', models.BooleanField(default=False, verbose_name='pilot estate')),
                ('pilot_start', models.DateField(blank=True, null=True, verbose_name='pilot start date')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='estates', to='units.community', verbose_name='community')),
            ],
            options={
                'verbose_name': 'estate',
                'verbose_name_plural': 'estates',
                'ordering': ['community__name', 'name'],
                'constraints': [models.UniqueConstraint(fields=('community', 'name'), name='estate_unique_name_in_community'), models.CheckConstraint(condition=models.Q(('pilot_start__isnull', True), ('is_pilot', True), _connector='OR'), name='estate_pilot_start_only_for_pilots')],
            },
        ),
        migrations.CreateModel(
            name='Building',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=20, verbose_name='building number')),
                ('floors', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='floors')),
                ('floor_height', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='floor height (m)')),
                ('spacing', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='spacing to the next building (m)')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='buildings', to='units.estate', verbose_name='estate')),
            ],
            options={
                'verbose_name': 'building',
                'verbose_name_plural': 'buildings',
                'ordering': ['estate', 'number'],
                'constraints': [models.UniqueConstraint(fields=('estate', 'number'), name='building_unique_number_in_estate'), models.CheckConstraint(condition=models.Q(('floors__gte', 1), ('floors__lte', 60)), name='building_floors_range'), models.CheckConstraint(condition=models.Q(('floor_height__isnull', True), ('floor_height__gt', 0), _connector='OR'), name='building_floor_height_positive')],
            },
        ),
        migrations.CreateModel(
            name='Street',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('consent_rule', models.CharField(choices=[('civil_code', 'Civil Code art. 278: 2/3 take part, 3/4 of participants agree'), ('local_two_thirds', 'Local rule: 2/3 of all owners agree'), ('custom', 'Custom fractions')], default='civil_code', max_length=20, verbose_name='consent rule')),
                ('participation_numerator', models.PositiveSmallIntegerField(default=2, verbose_name='participation numerator')),
                ('participation_denominator', models.PositiveSmallIntegerField(default=3, verbose_name='participation denominator')),
                ('agreement_numerator', models.PositiveSmallIntegerField(default=3, verbose_name='agreement numerator')),
                ('agreement_denominator', models.PositiveSmallIntegerField(default=4, verbose_name='agreement denominator')),
                ('few_holdouts_max', models.PositiveSmallIntegerField(default=2, help_text="A failing unit that needs at most this many more agreements has 'a few holdouts'.", verbose_name='few holdouts bound')),
                ('notice_days', models.PositiveSmallIntegerField(default=20, verbose_name='notice period (days)')),
            ],
            options={
                'verbose_name': 'street',
                'verbose_name_plural': 'streets',
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('participation_denominator__gt', 0), ('agreement_denominator__gt', 0), ('participation_numerator__lte', models.F('participation_denominator')), ('agreement_numerator__lte', models.F('agreement_denominator')), ('agreement_numerator__gt', 0)), name='street_policy_fractions_valid')],
            },
        ),
        migrations.AddField(
            model_name='community',
            name='street',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='communities', to='units.street', verbose_name='street'),
        ),
        migrations.CreateModel(
            name='Unit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=20, verbose_name='unit number')),
                ('eligible', models.BooleanField(default=True, verbose_name='physically eligible')),
                ('stage', models.CharField(choices=[('survey', 'Survey'), ('consultation', 'Consultation'), ('notice', 'Public notice'), ('signing', 'Signing'), ('approval', 'Approval'), ('construction', 'Construction'), ('acceptance', 'Acceptance'), ('in_service', 'In service'), ('upkeep', 'Upkeep'), ('paused', 'Paused'), ('withdrawn', 'Withdrawn')], default='survey', max_length=20, verbose_name='stage')),
                ('stage_since', models.DateTimeField(blank=True, null=True, verbose_name='in this stage since')),
                ('building', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='units', to='units.building', verbose_name='building')),
                ('leaders', models.ManyToManyField(blank=True, related_name='led_units', to=settings.AUTH_USER_MODEL, verbose_name='unit leaders')),
            ],
            options={
                'verbose_name': 'unit',
                'verbose_name_plural': 'units',
                'ordering': ['building__number', 'number'],
                'constraints': [models.UniqueConstraint(fields=('building', 'number'), name='unit_unique_number_in_building')],
            },
        ),
        migrations.CreateModel(
            name='StageChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('before', models.CharField(blank=True, choices=[('survey', 'Survey'), ('consultation', 'Consultation'), ('notice', 'Public notice'), ('signing', 'Signing'), ('approval', 'Approval'), ('construction', 'Construction'), ('acceptance', 'Acceptance'), ('in_service', 'In service'), ('upkeep', 'Upkeep'), ('paused', 'Paused'), ('withdrawn', 'Withdrawn')], max_length=20)),
                ('after', models.CharField(choices=[('survey', 'Survey'), ('consultation', 'Consultation'), ('notice', 'Public notice'), ('signing', 'Signing'), ('approval', 'Approval'), ('construction', 'Construction'), ('acceptance', 'Acceptance'), ('in_service', 'In service'), ('upkeep', 'Upkeep'), ('paused', 'Paused'), ('withdrawn', 'Withdrawn')], max_length=20)),
                ('reason', models.TextField(blank=True)),
                ('changed_at', models.DateTimeField()),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stage_changes', to='units.unit')),
            ],
            options={
                'ordering': ['-changed_at', '-id'],
                'indexes': [models.Index(fields=['unit', '-changed_at'], name='stagechange_unit_time')],
            },
        ),
        migrations.CreateModel(
            name='Household',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('room', models.CharField(max_length=20, verbose_name='room')),
                ('floor', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='floor')),
                ('area', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='registered area (m²)')),
                ('owner_name', models.CharField(max_length=50, verbose_name='owner')),
                ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone')),
                ('occupancy', models.CharField(choices=[('owner', 'Owner-occupied'), ('rented', 'Rented out'), ('empty', 'Vacant')], default='owner', max_length=10, verbose_name='occupancy')),
                ('hardship', models.BooleanField(default=False, verbose_name='hardship household')),
                ('age_band', models.CharField(blank=True, choices=[('under_40', 'Under 40'), ('40_59', '40–59'), ('60_74', '60–74'), ('75_plus', '75 and over')], max_length=10, verbose_name='age of oldest resident')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='households', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'household',
                'verbose_name_plural': 'households',
                'ordering': ['-floor', 'room'],
                'constraints': [models.UniqueConstraint(fields=('unit', 'room'), name='household_unique_room_in_unit'), models.CheckConstraint(condition=models.Q(('area__gt', 0)), name='household_area_positive'), models.CheckConstraint(condition=models.Q(('floor__gte', 1)), name='household_floor_positive')],
            },
        ),
        migrations.AddConstraint(
            model_name='community',
            constraint=models.UniqueConstraint(fields=('street', 'name'), name='community_unique_name_in_street'),
        ),
    ]
