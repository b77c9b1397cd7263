"""The request being served, so that `record()` can name the client address and the actor without
every service taking the request as an argument (set by audit.middleware.RequestContextMiddleware)."""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("audit_current_request", default=None)
