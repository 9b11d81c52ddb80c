"""Packing consecutive same-type events into messages (pure)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cognive_runtime.relay import pack

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Ev:
    type: str
    n: int


def events(types: str) -> list[Ev]:
    return [Ev(t, i) for i, t in enumerate(types)]


def shape(groups: list[list[Ev]]) -> list[str]:
    return ["".join(e.type for e in g) for g in groups]


def test_groups_runs_of_one_type() -> None:
    assert shape(pack(events("aaabbaccc"), 100)) == ["aaa", "bb", "a", "ccc"]


def test_caps_each_message_at_n() -> None:
    assert shape(pack(events("aaaaaaab"), 3)) == ["aaa", "aaa", "a", "b"]


def test_one_per_message() -> None:
    assert shape(pack(events("aab"), 1)) == ["a", "a", "b"]


def test_empty_and_invalid() -> None:
    assert pack([], 10) == []
    with pytest.raises(ValueError, match="at least 1"):
        pack(events("a"), 0)


@given(st.text(alphabet="abc", max_size=200), st.integers(min_value=1, max_value=12))
def test_properties(types: str, n: int) -> None:
    evs = events(types)
    groups = pack(evs, n)
    # Order kept, nothing lost or repeated.
    assert [e for g in groups for e in g] == evs
    for group in groups:
        assert 1 <= len(group) <= n
        assert len({e.type for e in group}) == 1
    # Maximal: a group is cut only by a type change or by being full.
    for before, after in itertools.pairwise(groups):
        assert before[0].type != after[0].type or len(before) == n
