"""A household's floor must lie within its building: a rule across two tables, so a trigger enforces it.

CheckConstraint cannot look at another table; these triggers make the database refuse what the forms
and the import already refuse, whoever writes.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER household_floor_within_building_insert
    BEFORE INSERT ON units_household
    WHEN NEW.floor > (SELECT b.floors FROM units_building b JOIN units_unit u ON u.building_id = b.id WHERE u.id = NEW.unit_id)
    BEGIN SELECT RAISE(ABORT, 'household_floor_within_building'); END;
    """,
    """
    CREATE TRIGGER household_floor_within_building_update
    BEFORE UPDATE OF floor, unit_id ON units_household
    WHEN NEW.floor > (SELECT b.floors FROM units_building b JOIN units_unit u ON u.building_id = b.id WHERE u.id = NEW.unit_id)
    BEGIN SELECT RAISE(ABORT, 'household_floor_within_building'); END;
    """,
    """
    CREATE TRIGGER building_floors_cover_households
    BEFORE UPDATE OF floors ON units_building
    WHEN NEW.floors < (SELECT COALESCE(MAX(h.floor), 0) FROM units_household h JOIN units_unit u ON h.unit_id = u.id WHERE u.building_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'household_floor_within_building'); END;
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS household_floor_within_building_insert;",
    "DROP TRIGGER IF EXISTS household_floor_within_building_update;",
    "DROP TRIGGER IF EXISTS building_floors_cover_households;",
]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION household_floor_within_building() RETURNS trigger AS $$
    BEGIN
        IF NEW.floor > (SELECT b.floors FROM units_building b JOIN units_unit u ON u.building_id = b.id WHERE u.id = NEW.unit_id) THEN
            RAISE EXCEPTION 'household_floor_within_building' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER household_floor_within_building
    BEFORE INSERT OR UPDATE OF floor, unit_id ON units_household
    FOR EACH ROW EXECUTE FUNCTION household_floor_within_building();
    """,
    """
    CREATE OR REPLACE FUNCTION building_floors_cover_households() RETURNS trigger AS $$
    BEGIN
        IF NEW.floors < (SELECT COALESCE(MAX(h.floor), 0) FROM units_household h JOIN units_unit u ON h.unit_id = u.id WHERE u.building_id = NEW.id) THEN
            RAISE EXCEPTION 'household_floor_within_building' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER building_floors_cover_households
    BEFORE UPDATE OF floors ON units_building
    FOR EACH ROW EXECUTE FUNCTION building_floors_cover_households();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS household_floor_within_building ON units_household;",
    "DROP FUNCTION IF EXISTS household_floor_within_building();",
    "DROP TRIGGER IF EXISTS building_floors_cover_households ON units_building;",
    "DROP FUNCTION IF EXISTS building_floors_cover_households();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
