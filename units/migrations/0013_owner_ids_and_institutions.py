"""Owner identity (docs/rules.md, "Who is one owner"): a household's certificate number as a keyed hash and
its last four, its institutional owner; a street's list of institution names.

SQLite adds a NOT NULL column by rebuilding the table, and its rename fails while a trigger of another
table (0002: building_floors_cover_households) reads units_household: the 0002 triggers are dropped
around the rebuild and made again, the same statements. PostgreSQL adds the columns in place.
"""

from importlib import import_module

from django.db import migrations, models

floors = import_module("units.migrations.0002_household_floor_within_building")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0012_roster_source_page'),
    ]

    operations = [
        migrations.RunPython(_sqlite(floors.SQLITE_DOWN), _sqlite(floors.SQLITE_UP)),
        migrations.AddField(
            model_name='household',
            name='id_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='certificate number hash'),
        ),
        migrations.AddField(
            model_name='household',
            name='id_last4',
            field=models.CharField(blank=True, editable=False, max_length=4, verbose_name='certificate number, last four'),
        ),
        migrations.AddField(
            model_name='household',
            name='institution',
            field=models.CharField(blank=True, max_length=100, verbose_name='institution owner'),
        ),
        migrations.AddField(
            model_name='street',
            name='institution_names',
            field=models.TextField(blank=True, help_text='One name a line (e.g. 某某机械厂, 市房管局). The ledger import counts a flat whose owner is one of them as held by that institution.', verbose_name='institution owners'),
        ),
        migrations.RunPython(_sqlite(floors.SQLITE_UP), _sqlite(floors.SQLITE_DOWN)),
    ]
