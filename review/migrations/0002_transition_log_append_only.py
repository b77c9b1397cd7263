"""On PostgreSQL the audit trail is append-only at the database too."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION review_transitionlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'review_transitionlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_transitionlog_no_update BEFORE UPDATE OR DELETE ON review_transitionlog
    FOR EACH ROW EXECUTE FUNCTION review_transitionlog_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS review_transitionlog_no_update ON review_transitionlog;
DROP FUNCTION IF EXISTS review_transitionlog_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
