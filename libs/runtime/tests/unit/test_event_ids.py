"""Event ids are UUID version 7: valid RFC 9562 UUIDs whose order follows the clock."""

from __future__ import annotations

import time
import uuid

import pytest

from cognive_runtime.eventlog import NewEvent
from cognive_runtime.eventlog.ids import new_event_id

pytestmark = pytest.mark.unit


def test_version_variant_and_embedded_time() -> None:
    before = time.time_ns() // 1_000_000
    event_id = new_event_id()
    after = time.time_ns() // 1_000_000
    assert event_id.version == 7
    assert event_id.variant == uuid.RFC_4122
    assert before <= event_id.int >> 80 <= after


def test_later_ids_sort_after_earlier_ones_and_none_repeat() -> None:
    first = [new_event_id() for _ in range(1_000)]
    time.sleep(0.002)
    second = [new_event_id() for _ in range(1_000)]
    assert max(first) < min(second)
    assert len(set(first + second)) == 2_000


def test_new_events_get_one_by_default() -> None:
    assert NewEvent("t.v1", {}).event_id.version == 7
