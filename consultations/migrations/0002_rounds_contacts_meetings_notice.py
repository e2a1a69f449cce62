# Constraints and indexes of the tables created here are in CreateModel's options: SQLite builds each
# table once instead of once more for each AddConstraint; the schema is the same (compared on SQLite and PostgreSQL).

import django.db.models.deletion
import retrofit.documents
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0001_initial'),
        ('units', '0002_household_floor_within_building'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsultationRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(default=1, verbose_name='round')),
                ('opened_on', models.DateField(verbose_name='opened on')),
                ('deadline', models.DateField(verbose_name='feedback deadline')),
                ('by_notice', models.BooleanField(default=False, verbose_name='Posted notice')),
                ('by_yard_meeting', models.BooleanField(default=False, verbose_name='Yard meeting')),
                ('by_door_to_door', models.BooleanField(default=False, verbose_name='Door-to-door visits')),
                ('by_group_chat', models.BooleanField(default=False, verbose_name='WeChat group')),
                ('by_hotline', models.BooleanField(default=False, verbose_name='Policy hotline')),
                ('hotline', models.CharField(blank=True, max_length=30, verbose_name='policy hotline number')),
                ('status', models.CharField(choices=[('open', 'Open'), ('on_hold', "On hold for the leadership group's review"), ('closed', 'Closed')], default='open', max_length=10, verbose_name='status')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('held_at', models.DateTimeField(blank=True, null=True, verbose_name='put on hold at')),
                ('hold_note', models.TextField(blank=True, verbose_name='why it is on hold')),
                ('review_decision', models.TextField(blank=True, verbose_name="leadership group's decision")),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed at')),
                ('held_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('opened_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='opened by')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rounds', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'consultation round',
                'verbose_name_plural': 'consultation rounds',
                'ordering': ['unit', '-number'],
                'indexes': [models.Index(fields=['status', 'deadline'], name='round_status_deadline')],
                'constraints': [models.UniqueConstraint(fields=('unit', 'number'), name='round_unique_number_in_unit'), models.UniqueConstraint(condition=models.Q(('status', 'closed'), _negated=True), fields=('unit',), name='round_one_current_per_unit'), models.CheckConstraint(condition=models.Q(('deadline__gte', models.F('opened_on'))), name='round_deadline_after_open'), models.CheckConstraint(condition=models.Q(('by_notice', True), ('by_yard_meeting', True), ('by_door_to_door', True), ('by_group_chat', True), ('by_hotline', True), _connector='OR'), name='round_has_a_channel'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'on_hold', 'closed'])), name='round_status_valid'), models.CheckConstraint(condition=models.Q(('closed_on__isnull', True), ('status', 'closed'), _connector='OR'), name='round_closed_on_only_when_closed')],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('visit', 'Home visit'), ('phone', 'Phone call'), ('wechat', 'WeChat'), ('yard_meeting', 'Yard meeting'), ('qa_meeting', 'On-site Q&A'), ('notice', 'Posted notice')], max_length=12, verbose_name='channel')),
                ('outcome', models.CharField(choices=[('talked', 'Talked it through'), ('form_signed', 'Opinion form signed'), ('call_back', 'Come back later'), ('no_answer', 'Nobody home / no answer'), ('refused', 'Refused to talk')], max_length=12, verbose_name='outcome')),
                ('companions', models.CharField(blank=True, help_text='e.g. the neighbour and the cadre on a joint visit', max_length=200, verbose_name='together with')),
                ('contacted_at', models.DateTimeField(verbose_name='when')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('opinion_form', models.FileField(blank=True, max_length=200, upload_to=retrofit.documents.document_path, verbose_name='signed opinion form (photo or PDF)')),
                ('opinion_form_type', models.CharField(blank=True, max_length=30)),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='units.household', verbose_name='household')),
                ('made_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts_made', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('round', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='consultations.consultationround', verbose_name='round')),
            ],
            options={
                'verbose_name': 'contact',
                'verbose_name_plural': 'contacts',
                'ordering': ['-contacted_at', '-id'],
                'indexes': [models.Index(fields=['household', '-contacted_at'], name='contact_household_time')],
                'constraints': [models.CheckConstraint(condition=models.Q(('channel__in', ['visit', 'phone', 'wechat', 'yard_meeting', 'qa_meeting', 'notice'])), name='contact_channel_valid'), models.CheckConstraint(condition=models.Q(('outcome__in', ['talked', 'form_signed', 'call_back', 'no_answer', 'refused'])), name='contact_outcome_valid'), models.CheckConstraint(condition=models.Q(models.Q(('opinion_form', ''), ('opinion_form_type', '')), models.Q(models.Q(('opinion_form', ''), _negated=True), ('opinion_form_type__in', ['image/jpeg', 'image/png', 'application/pdf'])), _connector='OR'), name='contact_form_type_known')],
            },
        ),
        migrations.AddField(
            model_name='votechange',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='vote_changes', to='consultations.contact', verbose_name='given in contact'),
        ),
        migrations.CreateModel(
            name='Holdout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('hardship', 'Cannot afford the share'), ('misunderstanding', 'Misunderstands the policy'), ('low_floor', 'Low floor: no benefit'), ('noise_light', 'Noise, light or privacy'), ('cost_split', 'Disagrees with the cost split'), ('other', 'Other')], max_length=20, verbose_name='main reason')),
                ('degree', models.CharField(choices=[('soft', 'Soft: could be won over'), ('strong', 'Strong: firmly against')], max_length=10, verbose_name='degree of objection')),
                ('detail', models.TextField(blank=True, verbose_name='in their words')),
                ('relief_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name='proposed relief (yuan)')),
                ('visit_planned_on', models.DateField(blank=True, null=True, verbose_name='joint visit planned on')),
                ('updated_at', models.DateTimeField(verbose_name='updated at')),
                ('cadre', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cadre')),
                ('household', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='holdout', to='units.household', verbose_name='household')),
                ('neighbour', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='units.household', verbose_name='neighbour to visit with')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'holdout',
                'verbose_name_plural': 'holdouts',
                'constraints': [models.CheckConstraint(condition=models.Q(('reason__in', ['hardship', 'misunderstanding', 'low_floor', 'noise_light', 'cost_split', 'other'])), name='holdout_reason_valid'), models.CheckConstraint(condition=models.Q(('degree__in', ['soft', 'strong'])), name='holdout_degree_valid'), models.CheckConstraint(condition=models.Q(('relief_amount__isnull', True), models.Q(('reason', 'hardship'), ('relief_amount__gt', 0)), _connector='OR'), name='holdout_relief_only_for_hardship'), models.CheckConstraint(condition=models.Q(models.Q(('neighbour__isnull', True), ('cadre__isnull', True), ('visit_planned_on__isnull', True)), ('reason', 'misunderstanding'), _connector='OR'), name='holdout_joint_visit_only_for_misunderstanding'), models.CheckConstraint(condition=models.Q(('neighbour', models.F('household')), _negated=True), name='holdout_neighbour_not_self')],
            },
        ),
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('regular', 'Regular meeting'), ('coordination', 'Special coordination meeting'), ('joint', 'Joint meeting'), ('yard', 'Yard meeting'), ('qa', 'On-site Q&A meeting')], max_length=14, verbose_name='kind')),
                ('held_on', models.DateField(verbose_name='date')),
                ('starts_at', models.TimeField(blank=True, null=True, verbose_name='time')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                ('attendees', models.TextField(blank=True, verbose_name='attendees')),
                ('minutes', models.TextField(blank=True, verbose_name='minutes')),
                ('decisions', models.TextField(blank=True, verbose_name='decisions')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='units.community', verbose_name='community')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('street', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='units.street', verbose_name='street')),
                ('units', models.ManyToManyField(blank=True, related_name='meetings', to='units.unit', verbose_name='units')),
            ],
            options={
                'verbose_name': 'meeting',
                'verbose_name_plural': 'meetings',
                'ordering': ['-held_on', '-starts_at', '-id'],
                'indexes': [models.Index(fields=['street', '-held_on'], name='meeting_street_date')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['regular', 'coordination', 'joint', 'yard', 'qa'])), name='meeting_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='ActionItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=300, verbose_name='action')),
                ('due_on', models.DateField(verbose_name='due')),
                ('done', models.BooleanField(default=False, verbose_name='done')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('units', models.ManyToManyField(blank=True, related_name='action_items', to='units.unit', verbose_name='units')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_items', to='consultations.meeting')),
            ],
            options={
                'verbose_name': 'action item',
                'verbose_name_plural': 'action items',
                'ordering': ['done', 'due_on', 'id'],
                'indexes': [models.Index(fields=['owner', 'done', 'due_on'], name='action_owner_open_due')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('done', True), ('done_at__isnull', False)), models.Q(('done', False), ('done_at__isnull', True)), _connector='OR'), name='action_done_at_when_done')],
            },
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_signed_on', models.DateField(verbose_name='agreement draft-signed on')),
                ('starts_on', models.DateField(verbose_name='notice starts on')),
                ('days', models.PositiveSmallIntegerField(verbose_name='notice period (days)')),
                ('plan_summary', models.TextField(help_text='Installation method, cost estimate, subsidy and how the cost is split.', verbose_name='plan')),
                ('posted_at_entrance', models.BooleanField(default=True, verbose_name='posted at the unit entrance')),
                ('posted_on_board', models.BooleanField(default=True, verbose_name='posted on the estate notice board')),
                ('contact_phone', models.CharField(blank=True, max_length=30, verbose_name='phone for objections')),
                ('status', models.CharField(choices=[('running', 'Posted'), ('completed', 'Completed'), ('withdrawn', 'Withdrawn')], default='running', max_length=10, verbose_name='status')),
                ('started_at', models.DateTimeField()),
                ('round', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notices', to='consultations.consultationround')),
                ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'public notice',
                'verbose_name_plural': 'public notices',
                'ordering': ['-started_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'running')), fields=('unit',), name='notice_one_running_per_unit'), models.CheckConstraint(condition=models.Q(('days__gte', 1), ('days__lte', 366)), name='notice_days_range'), models.CheckConstraint(condition=models.Q(('starts_on__gte', models.F('draft_signed_on'))), name='notice_starts_after_draft_signing'), models.CheckConstraint(condition=models.Q(('status__in', ['running', 'completed', 'withdrawn'])), name='notice_status_valid')],
            },
        ),
        migrations.CreateModel(
            name='Objection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('objector', models.CharField(max_length=50, verbose_name='objector (real name)')),
                ('received_on', models.DateField(verbose_name='received on')),
                ('content', models.TextField(verbose_name='objection')),
                ('resolution', models.TextField(blank=True, verbose_name='resolution')),
                ('settled_on', models.DateField(blank=True, null=True, verbose_name='settled on')),
                ('recorded_at', models.DateTimeField()),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='objections', to='units.household', verbose_name='household')),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='objections', to='consultations.notice')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('settled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'objection',
                'verbose_name_plural': 'objections',
                'ordering': ['received_on', 'id'],
                'indexes': [models.Index(fields=['notice', 'settled_on'], name='objection_notice_open')],
                'constraints': [models.CheckConstraint(condition=models.Q(('settled_on__isnull', True), models.Q(('resolution', ''), _negated=True), _connector='OR'), name='objection_settled_with_resolution'), models.CheckConstraint(condition=models.Q(('objector', ''), _negated=True), name='objection_real_name')],
            },
        ),
    ]
