"""``cognive-ingest`` / ``python -m cognive_ingest``: serve the API and run the loops."""

from __future__ import annotations

from fastapi import FastAPI

from cognive_ingest.bootstrap import create_app
from cognive_ingest.settings import IngestSettings
from cognive_runtime.service import serve


def app_from_env() -> FastAPI:
    """The app as each worker process builds it (uvicorn factory)."""
    return create_app(IngestSettings())


def main() -> None:
    settings = IngestSettings()
    serve("cognive_ingest.__main__:app_from_env", settings, workers=settings.http_workers)


if __name__ == "__main__":
    main()
