"""HTTP bodies of the cost service: the pricing catalog and its overrides, unpriced calls,
priced calls, cost trends and summaries. Money is integer micro-USD; unit prices are exact
decimal strings (USD per million tokens)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from cognive_contracts.events.base import Id, Name, TokenUsage
from cognive_contracts.events.cost import CostBreakdown, PriceTier, UnitPrices
from cognive_contracts.http.bodies import RequestBody, ResponseBody

PriceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,149}$")]
GroupBy = Literal["agent", "team", "model", "provider"]
Bucket = Literal["hour", "day"]


_Body = RequestBody
_Out = ResponseBody


class PriceOverrideCreate(_Body):
    """A negotiated, self-hosted or fine-tuned model's price. It wins over genai-prices for
    the same provider and model; `team_id` limits it to one team's calls. An
    `effective_from` in the past reprices the calls it covers."""

    price_id: PriceId | None = None
    provider: Name
    model: Name
    effective_from: AwareDatetime
    effective_to: AwareDatetime | None = None
    prices: UnitPrices
    tiers: list[PriceTier] = Field(default_factory=list, max_length=10)
    team_id: Id | None = None


class PriceOverrideEnd(_Body):
    effective_to: AwareDatetime


class PriceOut(_Out):
    price_id: str
    provider: str
    model: str
    source: str
    catalog_version: str
    effective_from: AwareDatetime
    effective_to: AwareDatetime | None
    prices: UnitPrices
    tiers: list[PriceTier]
    team_id: str | None


class UnpricedModelOut(_Out):
    provider: str
    model: str
    calls: int
    first_at: AwareDatetime
    last_at: AwareDatetime
    reason: str


class CallCostOut(_Out):
    call_id: str
    run_id: str
    agent_id: str
    team_id: str | None
    provider: str
    model: str
    occurred_at: AwareDatetime
    usage: TokenUsage
    status: Literal["priced", "unpriced"]
    total_micros: int | None
    breakdown: CostBreakdown | None
    price_id: str | None


class TrendPoint(_Out):
    bucket: AwareDatetime
    group: str
    total_micros: int
    calls: int


class TrendsOut(_Out):
    group_by: GroupBy
    bucket: Bucket
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime
    points: list[TrendPoint]

    model_config = ConfigDict(frozen=True, populate_by_name=True)


class SummaryGroup(_Out):
    group: str
    total_micros: int
    calls: int
    input_tokens: int
    output_tokens: int


class SummaryOut(_Out):
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime
    group_by: GroupBy
    total_micros: int
    calls: int
    groups: list[SummaryGroup]
    unpriced_calls: int

    model_config = ConfigDict(frozen=True, populate_by_name=True)


COST_HTTP_MODELS = (
    PriceOverrideCreate,
    PriceOverrideEnd,
    PriceOut,
    UnpricedModelOut,
    CallCostOut,
    TrendPoint,
    TrendsOut,
    SummaryGroup,
    SummaryOut,
)
