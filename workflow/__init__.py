"""Generic state machines: a table of states and transitions as data, and the one function that
performs a transition (lock the row, check, write the log entry, save, notify on commit).

Each domain object with a pipeline (an application, later a zone) declares its own `Workflow`
over its model, its state field and its append-only log model. This package knows no domain."""
