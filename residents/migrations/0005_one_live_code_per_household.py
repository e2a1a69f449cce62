from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('residents', '0004_retire_codes_used_before'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='householdcode',
            constraint=models.CheckConstraint(condition=models.Q(('last_used_at__isnull', True), ('last_used_at__gte', models.F('used_at')), _connector='OR'), name='householdcode_last_use_after_first'),
        ),
        migrations.AddConstraint(
            model_name='householdcode',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('household',), name='householdcode_one_live_per_household'),
        ),
    ]
