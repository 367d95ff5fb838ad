"""The engine: sync cases, record events, run what is due against a durable store."""

from ._engine import Engine, ProgressCallback
from ._processes import EngineFactory, run_due_in_processes
from ._render import Renderer
from ._report import RunReport, SyncReport

__all__ = [
    "Engine",
    "EngineFactory",
    "ProgressCallback",
    "Renderer",
    "RunReport",
    "SyncReport",
    "run_due_in_processes",
]
