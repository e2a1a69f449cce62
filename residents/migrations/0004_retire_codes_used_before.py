from django.db import migrations
from django.db.models import F
from django.utils import timezone


def retire_used_codes(apps, schema_editor):
    """Codes entered before this change were handed out as single-use: they stay spent (revoked), so a
    slip already used cannot open the household again. Their first use is also their last."""
    HouseholdCode = apps.get_model("residents", "HouseholdCode")
    used = HouseholdCode.objects.filter(used_at__isnull=False)
    used.update(last_used_at=F("used_at"))
    used.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('residents', '0003_code_opens_sessions_until_it_expires'),
    ]

    operations = [
        migrations.RunPython(retire_used_codes, migrations.RunPython.noop),
    ]
