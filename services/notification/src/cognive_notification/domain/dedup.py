"""The key that makes "at most one alert per (policy, period, threshold)" hold even when
budget emitted the same alert twice under different event ids."""

from __future__ import annotations

from typing import Any


def dedup_key(event_type: str, data: dict[str, Any], event_id: str) -> str:
    if event_type.startswith("budget.threshold.crossed"):
        return (
            f"budget.threshold:{data.get('policy_id')}:{data.get('period_start')}:"
            f"{data.get('threshold_percent')}"
        )
    if event_type.startswith("budget.exceeded"):
        return f"budget.exceeded:{data.get('policy_id')}:{data.get('period_start')}"
    if event_type.startswith("budget.call.blocked"):
        return f"budget.blocked:{data.get('block_id')}"
    if event_type.startswith("ingest.policy.violated"):
        return f"ingest.violation:{data.get('violation_id')}"
    return f"event:{event_id}"
