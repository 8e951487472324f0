"""Command-line interface: ``clausewatch …``.

Each capability's commands are in their own module and register themselves on ``main`` when
imported here.
"""

from . import clauses, core, digest, worker  # noqa: F401  (registers commands)
from .app import main

__all__ = ["main"]
