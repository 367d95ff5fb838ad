"""SMS segment counting matches hand-computed values; normalisation keeps GSM-7."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.channels._sms import GSM_BASIC, GSM_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("[" * 76 + "a", "GSM-7", 1),
        ("a" * 159 + "€", "GSM-7", 2),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),  # 306 septets, but € is never split
        ("~]" * 40, "GSM-7", 1),
        ("ç" * 70, "UCS-2", 1),
        ("ç" * 71, "UCS-2", 2),
        ("ç" * 134, "UCS-2", 2),
        ("ç" * 135, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),
        ("😀" * 36, "UCS-2", 2),
        ("Betrag: 12,50\u00a0€", "UCS-2", 1),
        ("", "GSM-7", 0),
    ],
)
def test_segment_counts(text: str, encoding: str, segments: int) -> None:
    """Encoding and segment counts equal hand-computed values for tricky strings."""
    info = cc.measure_sms(text)
    assert (info.encoding.value, info.segments) == (encoding, segments)


def test_babel_amounts_stay_gsm7_after_normalisation() -> None:
    """No-break spaces and typographic apostrophes from babel do not force UCS-2."""
    for locale in ("de_DE", "nl_NL", "de_CH", "fr_BE", "de_AT", "nl_BE"):
        text = f"Offen: {cc.Money('1234.50', 'EUR').format(locale)} – bitte zahlen"
        assert cc.measure_sms(cc.normalize_sms_text(text)).encoding == cc.SmsEncoding.GSM7


@given(st.text(alphabet=sorted(GSM_BASIC | GSM_EXTENSION), max_size=700))
def test_gsm_segments_hold_their_text(text: str) -> None:
    """Segments are few enough to hold the text and never one too many."""
    info = cc.measure_sms(text)
    assert info.encoding == cc.SmsEncoding.GSM7
    septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
    assert info.units == septets
    if septets <= 160:
        assert info.segments == (1 if text else 0)
    else:
        assert info.segments * 153 >= septets
        assert (info.segments - 1) * 153 < septets + info.segments  # at most one wasted septet each


def test_sms_message_enforces_segment_cap() -> None:
    """A message longer than its cap is refused before sending."""
    with pytest.raises(cc.ValidationError, match="segments"):
        cc.SmsMessage(
            idempotency_key="k", case_id="c", to="+4915112345678", text="ç" * 80, max_segments=1
        )
