"""The README's install and test commands are exactly what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command_after(readme: str, heading: str) -> str:
    section = readme.split(f"## {heading}\n", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", section, re.S)[1].strip()


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, test = _command_after(readme, "Install"), _command_after(readme, "Test")
    assert "\n" not in install and "\n" not in test  # one command each
    assert install in ci.splitlines()
    assert test in ci.splitlines()
    assert "chromium" in install and "pip install" in install
