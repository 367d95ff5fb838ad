"""The response model's default figures, from the project's domain notes.

Costs come from the built-in channels. Reading rates: SMS are read within minutes (90% within
three minutes), emails within a day by under half of the recipients, letters after two to five
days of post; a call reaches about six people in ten, who then often agree a promise.
"""

from __future__ import annotations

from datetime import timedelta

from creditcomms.campaigns import Tone
from creditcomms.model import DeliveryStatus

from ._config import ChannelResponse, ProfileBehaviour, ToneEffect
from ._profile import BehaviourProfile

__all__ = ["default_channels", "default_profiles", "default_tones"]

_H = timedelta(hours=1)
_M = timedelta(minutes=1)


def default_channels() -> dict[str, ChannelResponse]:
    """Reactions per built-in channel."""
    opened, read = DeliveryStatus.OPENED, DeliveryStatus.READ
    return {
        "email": ChannelResponse(
            bounce=0.03,
            see=0.45,
            pay=0.30,
            promise=0.04,
            dispute=0.02,
            opt_out=0.01,
            feedback=0.05,
            seen_after=(0 * _H, 24 * _H),
            act_after=(0 * _H, 72 * _H),
            seen_status=opened,
            pay_link=True,
        ),
        "sms": ChannelResponse(
            bounce=0.01,
            see=0.90,
            pay=0.28,
            promise=0.04,
            dispute=0.01,
            opt_out=0.03,
            feedback=0.02,
            seen_after=(0 * _M, 10 * _M),
            act_after=(0 * _H, 48 * _H),
            pay_link=True,
        ),
        "letter": ChannelResponse(
            bounce=0.01,
            see=0.80,
            pay=0.35,
            promise=0.05,
            dispute=0.03,
            feedback=0.01,
            seen_after=(48 * _H, 120 * _H),
            act_after=(24 * _H, 168 * _H),
        ),
        "whatsapp": ChannelResponse(
            bounce=0.02,
            see=0.85,
            pay=0.30,
            promise=0.05,
            dispute=0.01,
            opt_out=0.02,
            feedback=0.04,
            seen_after=(0 * _M, 2 * _H),
            act_after=(0 * _H, 48 * _H),
            seen_status=read,
            pay_link=True,
        ),
        "push": ChannelResponse(
            bounce=0.05,
            see=0.50,
            pay=0.25,
            promise=0.02,
            dispute=0.01,
            opt_out=0.02,
            feedback=0.03,
            seen_after=(0 * _M, 6 * _H),
            act_after=(0 * _H, 48 * _H),
            seen_status=opened,
            pay_link=True,
        ),
        "voice": ChannelResponse(
            bounce=0.05,
            see=0.55,
            pay=0.20,
            promise=0.10,
            dispute=0.02,
            opt_out=0.03,
            feedback=0.02,
            seen_after=(0 * _M, 1 * _M),
            act_after=(0 * _H, 72 * _H),
        ),
        "phone_task": ChannelResponse(
            bounce=0.10,
            see=0.60,
            pay=0.30,
            promise=0.35,
            dispute=0.05,
            feedback=0.05,
            seen_after=(0 * _H, 8 * _H),
            act_after=(0 * _H, 120 * _H),
        ),
        "portal": ChannelResponse(
            see=0.30,
            pay=0.30,
            promise=0.05,
            dispute=0.05,
            feedback=0.05,
            seen_after=(0 * _H, 72 * _H),
            act_after=(0 * _H, 24 * _H),
            seen_status=read,
            pay_link=True,
        ),
    }


def default_tones() -> dict[Tone, ToneEffect]:
    """Friendly reminders annoy least; firm ones move more people but cost goodwill."""
    return {
        Tone.FRIENDLY: ToneEffect(promise=1.1, dispute=0.8, opt_out=0.6, rating=0.4),
        Tone.NEUTRAL: ToneEffect(),
        Tone.FIRM: ToneEffect(pay=1.15, promise=1.2, dispute=1.4, opt_out=1.8, rating=-0.6),
    }


def default_profiles() -> dict[BehaviourProfile, ProfileBehaviour]:
    """How each hidden behaviour profile departs from the average customer."""
    return {
        BehaviourProfile.RELIABLE: ProfileBehaviour(
            see=1.2,
            pay=2.0,
            promise=0.5,
            dispute=0.5,
            opt_out=0.5,
            keep_promise=0.95,
            unprompted_before_due=0.06,
            unprompted_after_due=0.08,
        ),
        BehaviourProfile.FORGETFUL: ProfileBehaviour(
            see=0.9,
            pay=1.6,
            promise=0.8,
            dispute=0.5,
            opt_out=0.7,
            keep_promise=0.8,
            partial=0.05,
            unprompted_before_due=0.005,
            unprompted_after_due=0.01,
        ),
        BehaviourProfile.STRUGGLING: ProfileBehaviour(
            pay=0.6,
            promise=2.5,
            opt_out=1.2,
            tones={Tone.FIRM: 1.3},
            keep_promise=0.5,
            partial=0.5,
            unprompted_before_due=0.002,
            unprompted_after_due=0.005,
        ),
        BehaviourProfile.DISPUTING: ProfileBehaviour(
            pay=0.5,
            promise=0.5,
            dispute=8.0,
            opt_out=1.5,
            keep_promise=0.6,
            partial=0.1,
            unprompted_before_due=0.003,
            unprompted_after_due=0.005,
        ),
        BehaviourProfile.NON_RESPONSIVE: ProfileBehaviour(
            see=0.35,
            pay=0.35,
            promise=0.5,
            dispute=0.3,
            opt_out=0.3,
            channels={"letter": 2.0, "phone_task": 1.5},
            keep_promise=0.3,
            partial=0.2,
            unprompted_before_due=0.001,
            unprompted_after_due=0.003,
        ),
    }
