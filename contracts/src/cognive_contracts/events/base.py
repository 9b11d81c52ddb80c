"""The base of every event payload and the small types payloads share."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

ContractStatus = Literal["draft", "stable"]


class EventPayload(BaseModel):
    """The ``data`` of one event version.

    Frozen (a fact does not change) and ``extra="ignore"`` so that a consumer built
    against an older minor shape tolerates fields a newer producer added (ARCHITECTURE §5).

    ``event_type`` is the explicit wire type (never derived from the class or module
    name: a rename must not change history). ``contract_status`` is ``draft`` until the
    owning service's issue lands; the compat check guards only ``stable`` types. It is not
    called ``status`` because several payloads have a ``status`` field.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    contract_status: ClassVar[ContractStatus] = "draft"


class Shared(BaseModel):
    """Base of value objects nested inside payloads (same tolerance rules)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


# Identifiers are opaque strings: some are client-generated (SDK run and call ids),
# some server-generated; consumers must not parse them.
Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]

# Money: integer micro-USD, strict so that a float never sneaks in through coercion.
Micros = Annotated[int, Strict(), Field(ge=0)]
SignedMicros = Annotated[int, Strict()]

# Exact decimal strings for unit prices, which may carry more precision than a
# micro-USD amount; still never a float.
DecimalStr = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)?$")]

NonNegInt = Annotated[int, Field(ge=0)]
Environment = Literal["dev", "staging", "prod"]
Role = Literal["viewer", "developer", "team_lead", "admin"]
ApiKeyScope = Literal["events:write", "agents:register", "budget:check", "read", "admin"]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class TokenUsage(Shared):
    """Token counts of one LLM call, in the OpenTelemetry GenAI / genai-prices convention:
    ``input_tokens`` is the whole prompt *including* ``cached_input_tokens`` (cache read)
    and ``cache_write_tokens``; ``output_tokens`` *includes* ``reasoning_tokens``. One
    convention for every provider, so the SDK normalizes (e.g. Anthropic reports cache
    tokens apart) and cost never double-counts."""

    input_tokens: NonNegInt = 0
    output_tokens: NonNegInt = 0
    cached_input_tokens: NonNegInt = 0
    cache_write_tokens: NonNegInt = 0
    reasoning_tokens: NonNegInt = 0
