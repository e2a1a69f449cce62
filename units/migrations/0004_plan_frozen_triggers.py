"""A signed plan is frozen: the database refuses to change it, its shares, or to add a newer version.

The services refuse first (units.plans.plan_save, units.contracts); these triggers make the database
refuse too, whoever writes. Deletes are left to PROTECT (a contract protects its plan), because
test-database flushes delete every row.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER plan_frozen_update BEFORE UPDATE ON units_plan
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'plan_frozen'); END;
    """,
    """
    CREATE TRIGGER plan_frozen_new_version BEFORE INSERT ON units_plan
    WHEN EXISTS (SELECT 1 FROM units_plan p WHERE p.unit_id = NEW.unit_id AND p.signed_at IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'plan_frozen'); END;
    """,
    """
    CREATE TRIGGER planshare_frozen_insert BEFORE INSERT ON units_planshare
    WHEN (SELECT p.signed_at FROM units_plan p WHERE p.id = NEW.plan_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'plan_frozen'); END;
    """,
    """
    CREATE TRIGGER planshare_frozen_update BEFORE UPDATE ON units_planshare
    WHEN (SELECT p.signed_at FROM units_plan p WHERE p.id = OLD.plan_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'plan_frozen'); END;
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS plan_frozen_update;",
    "DROP TRIGGER IF EXISTS plan_frozen_new_version;",
    "DROP TRIGGER IF EXISTS planshare_frozen_insert;",
    "DROP TRIGGER IF EXISTS planshare_frozen_update;",
]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION plan_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'plan_frozen' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'INSERT' AND EXISTS (
            SELECT 1 FROM units_plan p WHERE p.unit_id = NEW.unit_id AND p.signed_at IS NOT NULL
        ) THEN
            RAISE EXCEPTION 'plan_frozen' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER plan_frozen BEFORE INSERT OR UPDATE ON units_plan
    FOR EACH ROW EXECUTE FUNCTION plan_frozen();
    """,
    """
    CREATE OR REPLACE FUNCTION planshare_frozen() RETURNS trigger AS $$
    BEGIN
        IF (SELECT p.signed_at FROM units_plan p
            WHERE p.id = CASE WHEN TG_OP = 'INSERT' THEN NEW.plan_id ELSE OLD.plan_id END) IS NOT NULL THEN
            RAISE EXCEPTION 'plan_frozen' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER planshare_frozen BEFORE INSERT OR UPDATE ON units_planshare
    FOR EACH ROW EXECUTE FUNCTION planshare_frozen();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS plan_frozen ON units_plan;",
    "DROP FUNCTION IF EXISTS plan_frozen();",
    "DROP TRIGGER IF EXISTS planshare_frozen ON units_planshare;",
    "DROP FUNCTION IF EXISTS planshare_frozen();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("units", "0003_plans_contracts")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
