"""``cognive-notification`` / ``python -m cognive_notification``: serve the API and loops."""

from __future__ import annotations

from fastapi import FastAPI

from cognive_notification.bootstrap import create_app
from cognive_notification.settings import NotificationSettings
from cognive_runtime.service import serve


def app_from_env() -> FastAPI:
    return create_app(NotificationSettings())


def main() -> None:
    settings = NotificationSettings()
    serve("cognive_notification.__main__:app_from_env", settings, workers=settings.http_workers)


if __name__ == "__main__":
    main()
