"""Run a service under uvicorn with the graceful SIGTERM path.

SIGTERM → uvicorn stops accepting and waits for in-flight requests (at most
`shutdown_grace_s`) → the lifespan stops the loops and closes the clients → exit 0.
The Helm charts set terminationGracePeriodSeconds above that grace."""

from __future__ import annotations

import signal
from types import FrameType

import uvicorn

from cognive_runtime.observability import configure_logging, configure_tracing
from cognive_runtime.settings import ServiceSettings


class _GracefulServer(uvicorn.Server):
    """uvicorn re-raises the signal after its graceful shutdown, so the process would die
    of SIGTERM (-15). A drained, clean stop is a success: exit 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)


def serve(app_factory: str, settings: ServiceSettings, *, workers: int = 1) -> None:
    """`app_factory` is an import path "package.module:function" returning the FastAPI app;
    each worker process builds its own (no clients cross a fork)."""
    configure_logging(settings.service, settings.log_level, json=settings.log_json)
    configure_tracing(settings.service, settings.otlp_endpoint)
    options = {
        "factory": True,
        "host": settings.http_host,
        "port": settings.http_port,
        "workers": workers,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": max(1, int(settings.shutdown_grace_s)),
    }
    if workers > 1:
        # Several processes: uvicorn's supervisor forwards SIGTERM to each worker.
        uvicorn.run(app_factory, **options)  # type: ignore[arg-type]
        return
    _GracefulServer(uvicorn.Config(app_factory, lifespan="on", **options)).run()  # type: ignore[arg-type]
