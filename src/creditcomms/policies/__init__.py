"""Contact policies: when, how often and on which channels a case may be contacted.

`ContactPolicy` combines a `SendWindow` in the debtor's own time zone, a `Calendar` of
public holidays, a minimum gap, frequency `Cap`s, consent and channel rules. Jurisdiction
packs (`FeeCalculator`) say what interest and fees a reminder may state on a date.
"""

from ._calendar import Calendar
from ._fees import FeeCalculator, FeeItem, Fees, RatePeriod
from ._log import ContactLog
from ._policy import Cap, ContactPolicy, Slot
from ._window import SendWindow

__all__ = [
    "Calendar",
    "Cap",
    "ContactLog",
    "ContactPolicy",
    "FeeCalculator",
    "FeeItem",
    "Fees",
    "RatePeriod",
    "SendWindow",
    "Slot",
]
