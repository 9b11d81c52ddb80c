"""``POST /v1/events``: the SDK's batches of telemetry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cognive_contracts.http.ingest import EventBatchAccepted, EventBatchIn
from cognive_ingest.api.body import parse_events, read_body
from cognive_ingest.api.deps import State, Writer
from cognive_ingest.domain.batch import Caller, validate_batch, validate_batch_json
from cognive_ingest.event_writer import write_events
from cognive_ingest.metrics import EVENTS_SUBMITTED
from cognive_runtime.auth import ApiKeyPrincipal
from cognive_runtime.consumer import is_infrastructure
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type

router = APIRouter(tags=["events"])

# The body is read and validated by hand (limits first, then event by event, so that one
# bad event does not sink the batch); its schema is still published.
_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatchIn"}}},
    }
}
REQUEST_MODELS = (EventBatchIn,)


@router.post(
    "/v1/events",
    status_code=202,
    response_model=EventBatchAccepted,
    summary="Submit a batch of run, step, LLM-call and tool-call events",
    openapi_extra=_REQUEST_BODY,
    responses={
        400: {"description": "Not JSON, or not valid gzip"},
        413: {"description": "Over the batch's event or byte limit"},
        422: {"description": "Not a batch, or no event of it is valid"},
    },
)
async def submit_events(request: Request, principal: Writer, state: State) -> JSONResponse:
    if not isinstance(principal, ApiKeyPrincipal):
        raise ProblemError(
            status=403,
            title="Forbidden",
            detail="events are submitted with an API key: its team is stamped on them",
            type=problem_type("forbidden"),
        )
    settings = state.settings
    body = await read_body(request, settings.max_batch_bytes)
    caller = Caller(team_id=principal.team_id, api_key_id=principal.key_id)
    batch = validate_batch_json(body, caller, settings.max_batch_events)
    if batch is None:
        batch = validate_batch(parse_events(body, settings.max_batch_events), caller)
    service = settings.service
    if batch.rejected:
        EVENTS_SUBMITTED.labels(service, "rejected").inc(len(batch.rejected))
    if not batch.events:
        raise _nothing_valid(batch.rejected)
    # Returns only after the commit: nothing is acknowledged that is not durably logged.
    try:
        written = await write_events(state.pool, batch.events, {"actor": principal.subject})
    except Exception as exc:
        if not is_infrastructure(exc):
            raise
        # The SDK retries a 503 after Retry-After with the same event ids: no loss, no double.
        raise ProblemError(
            status=503,
            title="Service Unavailable",
            detail="the event log cannot be written right now; retry the same batch",
            type=problem_type("log-unavailable"),
            headers={"Retry-After": "1"},
        ) from exc
    duplicates = written.duplicates + batch.duplicate_in_batch
    EVENTS_SUBMITTED.labels(service, "accepted").inc(written.stored)
    if duplicates:
        EVENTS_SUBMITTED.labels(service, "duplicate").inc(duplicates)
    answer = {
        "accepted": written.stored,
        "duplicates": duplicates,
        "rejected": [r.model_dump(mode="json") for r in batch.rejected],
    }
    return JSONResponse(answer, status_code=202)


def _nothing_valid(rejected: list[Any]) -> ProblemError:
    return ProblemError(
        status=422,
        title="Unprocessable Content",
        detail=f"none of the {len(rejected)} events is valid; nothing was stored",
        type=problem_type("invalid-batch"),
        errors=[FieldProblem(field=r.field, msg=r.reason, type="invalid") for r in rejected],
        extra={
            "accepted": 0,
            "duplicates": 0,
            "rejected": [r.model_dump(mode="json") for r in rejected],
        },
    )
