"""Database-side guarantees of the audit trail, for use in migrations (PostgreSQL only).

UPDATE is always refused. DELETE is refused unless the purge command (audit.purge) asked for it in
its own transaction (`SET LOCAL audit.purge = 'on'`) and the record is older than the legal minimum
of 180 days (网络安全法 第二十一条). TRUNCATE is not a row event: the serving role simply lacks the
privilege (manage.py grant_serving_role), and only the table's owner keeps it.
"""

from django.db import migrations

TABLE = "audit_auditrecord"
MINIMUM_RETENTION_DAYS = 180

FORWARD = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('audit.purge', true) = 'on'
       AND OLD.created_at < now() - interval '{MINIMUM_RETENTION_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{TABLE} is append-only: % refused (records are kept at least {MINIMUM_RETENTION_DAYS} days)',
        TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
"""
BACKWARD = f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}; DROP FUNCTION IF EXISTS {TABLE}_append_only();"


def append_only_trigger() -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(FORWARD, params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(BACKWARD, params=None)

    return migrations.RunPython(forward, backward)
