"""The security audit trail (安全审计): one `record()` that every service and the authentication layer
call. Records are append-only."""
