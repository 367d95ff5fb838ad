"""The engine: sync cases, record events, run what is due against a durable store."""

from ._engine import Engine, ProgressCallback
from ._render import Renderer
from ._report import RunReport, SyncReport

__all__ = ["Engine", "ProgressCallback", "Renderer", "RunReport", "SyncReport"]
