"""Serve the built console (`console/dist`) with a `config.json` naming the services, the
way its production container does: static files, and `index.html` for every other path so
that the single-page app's own routes load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIST = Path(__file__).resolve().parent.parent / "console" / "dist"


class SinglePageApp(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith("assets/"):
                raise
            return FileResponse(Path(str(self.directory)) / "index.html")


def console_app(config: dict[str, Any], dist: Path = DIST) -> Starlette:
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist}/index.html: build the console first (npm run build)")

    async def config_json(_: Request) -> Response:
        return JSONResponse(config, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/config.json", config_json),
            Mount("/", SinglePageApp(directory=dist, html=True)),
        ]
    )


def console_config(urls: dict[str, str]) -> dict[str, Any]:
    return {"services": urls, "devLogin": True, "oidc": None}


def console_server(config: dict[str, Any], port: int) -> uvicorn.Server:
    """A server to `await server.serve()` (and stop with `server.should_exit = True`)."""
    app = console_app(config)
    return uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
