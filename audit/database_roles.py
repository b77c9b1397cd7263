"""Two database roles: the owner, which migrates (and alone may purge old audit records), and the
serving role, which the web processes and workers connect as. The serving role may read and write the
portal's tables but only read and append the audit trail and the workflow logs: it cannot UPDATE,
DELETE or TRUNCATE them, and not owning them it cannot drop their triggers either."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from workflow.models import AppendOnlyLog

from .models import AuditRecord


def append_only_tables() -> list[str]:
    """The audit trail and every workflow log."""
    tables = [AuditRecord._meta.db_table]
    tables += sorted(m._meta.db_table for m in apps.get_models()
                     if issubclass(m, AppendOnlyLog) and not m._meta.proxy)
    return tables


def serving_role_statements(role: str) -> list[str]:
    quoted = connection.ops.quote_name(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {quoted}"
                   for table in append_only_tables()]
    return statements


def grant_serving_role(role: str) -> list[str]:
    """Give `role` exactly the serving privileges on every table that exists now (run after each
    migrate, as the owner). Returns the statements executed."""
    if connection.vendor != "postgresql":
        raise RuntimeError("database roles exist on PostgreSQL only")
    statements = serving_role_statements(role)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
