"""Campaigns: ordered steps with triggers, guards and policies, and the planner's actions."""

from ._action import Action, Tone, idempotency_key

__all__ = ["Action", "Tone", "idempotency_key"]
