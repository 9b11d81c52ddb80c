"""The HTTP event bodies carry exactly the fields of the event payloads they become."""

import pytest

from cognive_contracts.events import model_for
from cognive_contracts.events.ingest import PolicyViolatedV1
from cognive_contracts.http.ingest import (
    LlmCallIn,
    PolicyViolationOut,
    RunEndedIn,
    RunStartedIn,
    StepIn,
    ToolCallIn,
)
from cognive_ingest.domain.telemetry import EVENT_TYPES

pytestmark = pytest.mark.unit

CLIENT_ONLY = {"kind", "event_id", "traceparent"}
SERVER_ADDED = {"team_id", "api_key_id"}


@pytest.mark.parametrize("model", [RunStartedIn, RunEndedIn, StepIn, LlmCallIn, ToolCallIn])
def test_http_event_matches_payload(model: type) -> None:
    kind = model.model_fields["kind"].annotation.__args__[0]
    payload = model_for(EVENT_TYPES[kind])
    assert set(model.model_fields) - CLIENT_ONLY == set(payload.model_fields) - SERVER_ADDED


def test_violation_body_matches_payload() -> None:
    assert set(PolicyViolationOut.model_fields) - {"recorded_at"} == set(
        PolicyViolatedV1.model_fields
    )
