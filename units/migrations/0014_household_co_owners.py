"""Co-owned flats (docs/rules.md, "Co-owned flats"): the co-owners after the first-named one.

As in 0013, SQLite rebuilds the table to add the column: the 0002 triggers are dropped around the rebuild
and made again. PostgreSQL adds the column in place.
"""

from importlib import import_module

from django.db import migrations, models

floors = import_module("units.migrations.0002_household_floor_within_building")
_sqlite = import_module("units.migrations.0013_owner_ids_and_institutions")._sqlite


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0013_owner_ids_and_institutions'),
    ]

    operations = [
        migrations.RunPython(_sqlite(floors.SQLITE_DOWN), _sqlite(floors.SQLITE_UP)),
        migrations.AddField(
            model_name='household',
            name='co_owners',
            field=models.TextField(blank=True, verbose_name='co-owners'),
        ),
        migrations.RunPython(_sqlite(floors.SQLITE_UP), _sqlite(floors.SQLITE_DOWN)),
    ]
