"""The ledger is append-only: the database refuses to change an entry, whoever writes.

Corrections are new rows (a reversal), so the ledger stays its own history. Deletes are left to
PROTECT (households and units protect their entries), because test-database flushes delete every row.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER ledger_append_only BEFORE UPDATE ON payments_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS ledger_append_only;"]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger_append_only' USING ERRCODE = 'check_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER ledger_append_only BEFORE UPDATE ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_append_only ON payments_ledgerentry;",
    "DROP FUNCTION IF EXISTS ledger_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
