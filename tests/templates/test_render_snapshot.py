"""Every built-in template renders byte for byte as it did before the fast path (issue 7)."""

from __future__ import annotations

import json

from snapshot_kit import SNAPSHOT, digests


def test_builtin_renders_match_the_snapshot() -> None:
    """Every pack template, for consumers and businesses, and `Renderer.envelope` outputs."""
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    actual = digests()
    changed = sorted(
        key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)
    )
    assert not changed, f"{len(changed)} renders differ from the snapshot, first: {changed[:10]}"
    assert len(actual) > 600  # every built-in template and the envelopes were rendered
