"""Import a library without the optional extras it would pull in for nothing (start-up time).

sqlite-utils imports numpy when it is installed (to map numpy scalars to SQL types; we never
store numpy values) and httpcore imports trio when it is installed (for async code; we fetch
synchronously).  On this machine those two add ~0.15–0.5 s to every one-shot ``clausewatch run``.
Hiding a module that is not imported yet makes the library's own ``try: import …`` fall back;
the module stays importable for anyone who asks for it afterwards.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def import_without(name: str, *optional: str) -> ModuleType:
    """Import ``name`` while the not-yet-imported modules ``optional`` look absent."""
    if name in sys.modules:
        return sys.modules[name]
    hidden = [m for m in optional if m not in sys.modules]
    for module in hidden:
        sys.modules[module] = None  # makes `import module` raise ImportError
    try:
        return importlib.import_module(name)
    finally:
        for module in hidden:
            if sys.modules.get(module, 0) is None:
                del sys.modules[module]
