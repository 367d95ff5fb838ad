"""Split: deterministic, sticky A/B/n assignment with validated weights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc


def test_assignment_is_stable_and_salted() -> None:
    """The same key and salt always give the same variant; a new salt reshuffles."""
    split = cc.Split({"A": 50, "B": 50}, salt="wording-2026")
    keys = [f"C-{i}" for i in range(200)]
    first = [split.assign(k) for k in keys]
    assert first == [cc.Split({"A": 50, "B": 50}, salt="wording-2026").assign(k) for k in keys]
    other = [cc.Split({"A": 50, "B": 50}, salt="other").assign(k) for k in keys]
    assert first != other


def test_known_assignment_does_not_drift() -> None:
    """The hash is blake2b of salt and key: pinned examples guard against changes."""
    split = cc.Split({"A": 1, "B": 1}, salt="s")
    assert split.position("C-1") == pytest.approx(0.6182394319738741)
    assert [split.assign(f"K{i}") for i in range(8)] == ["A", "A", "A", "B", "A", "B", "A", "A"]


def test_zero_weight_variant_is_never_drawn() -> None:
    """A variant with weight 0 is kept in the definition but nobody lands in it."""
    split = cc.Split({"A": 1, "B": 0}, salt="x")
    assert {split.assign(f"C-{i}") for i in range(500)} == {"A"}
    assert split.share("B") == 0


@pytest.mark.parametrize(
    ("weights", "salt"),
    [
        ({}, "s"),
        ({"A": -1, "B": 2}, "s"),
        ({"A": 0, "B": 0}, "s"),
        ({"A": True}, "s"),
        ({"": 1}, "s"),
        ({"A": 1}, ""),
        ({"A": "50"}, "s"),
    ],
)
def test_bad_weights_or_salt_are_refused(weights: dict[str, float], salt: str) -> None:
    """Empty, negative, all-zero, boolean or text weights and an empty salt are refused."""
    with pytest.raises(cc.ConfigurationError):
        cc.Split(weights, salt=salt)


@settings(max_examples=15, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=10), min_size=2, max_size=4),
    salt=st.text(min_size=1, max_size=8).filter(str.strip),  # a blank salt is refused
)
def test_proportions_converge_to_weights(weights: list[int], salt: str) -> None:
    """Over 8,000 keys every variant's share is within 3 points of its weight's share."""
    split = cc.Split({f"V{i}": w for i, w in enumerate(weights)}, salt=salt)
    counts = dict.fromkeys(split.variants, 0)
    total = 8000
    for i in range(total):
        counts[split.assign(f"case-{i}")] += 1
    for name in split.variants:
        assert abs(counts[name] / total - split.share(name)) < 0.03
