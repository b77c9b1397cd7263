"""Database-side guarantees for workflow logs, for use in migrations."""

from django.db import migrations


def append_only(table: str) -> migrations.RunPython:
    """A migration operation: on PostgreSQL, a trigger refuses UPDATE and DELETE on `table`."""
    function = f"{table}_append_only"
    forward_sql = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward_sql = f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}; DROP FUNCTION IF EXISTS {function}();"

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward_sql)

    return migrations.RunPython(forward, backward)
