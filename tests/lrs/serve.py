"""Child process: Ralph's LRS app on 127.0.0.1:PORT, file-system backend, append mode.

Started by `RalphLRS` (server.py), which sets every RALPH_* variable first: Ralph reads its
settings when its modules are imported. Usage: python serve.py PORT
"""
from __future__ import annotations

import sys


def main(port: int) -> None:
    import uvicorn
    from ralph.api import app
    from ralph.api.routers import statements
    from ralph.backends.data.base import BaseOperationType

    backend = statements.BACKEND_CLIENT
    # Ralph 5.1.0: the fs backend writes its one statements file in "create" mode, so every
    # write after the first fails ("already exists") and answers 500. Append instead.
    backend.default_operation_type = BaseOperationType.APPEND
    backend.query_statements = _plain_parameters(backend.query_statements)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def _plain_parameters(query_statements):
    """Ralph 5.1.0 hands the fs backend the raw query string values, except `activity` and
    `verb`, which it wraps in its IRI model; the backend compares them with the statement's
    strings, so those filters never match. And `related_*=false` arrives as the string
    "false", which is true. Give the backend plain strings and booleans."""

    def query(params, target=None):
        for name in ("activity", "verb"):
            value = getattr(params, name, None)
            if value is not None and not isinstance(value, str):
                setattr(params, name, str(value))
        for name in ("related_activities", "related_agents", "ascending"):
            value = getattr(params, name, None)
            if isinstance(value, str):
                setattr(params, name, value.lower() == "true")
        return query_statements(params, target)

    return query


if __name__ == "__main__":
    main(int(sys.argv[1]))
