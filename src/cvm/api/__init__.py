"""The HTTP service: the dashboard pages and a JSON API over a workspace (FastAPI).

``create_app(settings)`` builds the application; ``cvm dashboard`` serves it with uvicorn.
Its settings are one pydantic-settings object (``config.py``, ``CVM_`` environment variables);
every answer is a pydantic model (``schemas.py``), so the OpenAPI document describes each
route; the key and role checks are dependencies (``deps.py``). The service only reads: every
request opens the workspace read-only and closes it when the response is sent, so DuckDB's
single-writer lock is free between requests for `cvm` commands that write (a write that runs
while a request is being served fails with a clear "cannot open" error and can be retried).
"""

from cvm.api.config import Settings
from cvm.api.main import create_app

__all__ = ["Settings", "create_app"]
