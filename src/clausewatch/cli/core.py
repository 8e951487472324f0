"""Foundation commands: validate, check, run, history, show, import."""

from __future__ import annotations
