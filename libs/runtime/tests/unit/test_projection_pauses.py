"""How long a projection group sets aside a member that fails alone."""

from __future__ import annotations

import pytest
import redis.exceptions

from cognive_runtime.projections.runner import RETRY_FIRST_S, RETRY_MAX_S, next_pause

pytestmark = pytest.mark.unit


def test_a_broken_projection_waits_longer_each_time_up_to_the_cap() -> None:
    bug = KeyError("call_id")
    pauses = [next_pause(None, bug)]
    for _ in range(10):
        pauses.append(next_pause(pauses[-1], bug))
    assert pauses[:3] == [RETRY_FIRST_S, 2 * RETRY_FIRST_S, 4 * RETRY_FIRST_S]
    assert pauses[-1] == RETRY_MAX_S == max(pauses)


def test_a_store_that_is_away_is_tried_again_at_the_first_pause() -> None:
    """Budget's Redis counters while Redis restarts: resumed within RETRY_FIRST_S of its
    return, however long it was away."""
    away = redis.exceptions.ConnectionError("Connection refused")
    assert next_pause(RETRY_MAX_S, away) == RETRY_FIRST_S
    assert next_pause(None, OSError("connection reset")) == RETRY_FIRST_S
