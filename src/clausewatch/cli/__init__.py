"""Command-line interface: ``clausewatch …``.

The foundation commands (``core``) are registered at once; they import what they need inside each
command.  Every other capability's commands live in their own module and are imported only when
one of them is invoked (or ``--help`` lists them), so a one-shot ``clausewatch run`` does not pay
for the digest, site, worker or change-engine code.  To add a command module, add its command
names here.
"""

from . import core  # noqa: F401  (registers the foundation commands)
from .app import main

# command name -> the modules that register it (and its subcommands) when imported
main.lazy_commands.update({
    "clauses": ("clauses",),
    "reclassify": ("clauses",),
    "eval": ("evaluate", "clauses", "diff"),
    "diff": ("diff",),
    "review": ("diff",),
    "digest": ("digest",),
    "worker": ("worker",),
    "status": ("worker",),
    "site": ("site",),
})

__all__ = ["main"]
