"""RFC 9457 problem+json for every error a service answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cognive_runtime.problems import PROBLEM_CONTENT_TYPE, ProblemError, problem_type

log = structlog.get_logger(__name__)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "events", 3, "model")` → `body.events.3.model`: the client sees which item
    and which field were wrong."""
    return ".".join(str(part) for part in loc)


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return JSONResponse(
        exc.body(request.url.path),
        status_code=exc.status,
        headers=exc.headers or None,
        media_type=PROBLEM_CONTENT_TYPE,
    )


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": field_name(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    body = {
        "type": problem_type("validation"),
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "; ".join(f"{e['field']}: {e['msg']}" for e in errors[:5]),
        "instance": request.url.path,
        "errors": errors,
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_CONTENT_TYPE)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(exc.status_code),
        "status": exc.status_code,
        "instance": request.url.path,
    }
    if exc.detail and exc.detail != body["title"]:
        body["detail"] = str(exc.detail)
    return JSONResponse(
        body,
        status_code=exc.status_code,
        headers=dict(exc.headers) if exc.headers else None,
        media_type=PROBLEM_CONTENT_TYPE,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("http.unhandled_error", path=request.url.path, method=request.method)
    body = {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=500, media_type=PROBLEM_CONTENT_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
