"""Shared fixtures: the corpus beside the repository, a local policy server, Chromium, the CLI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from policy_pages import CORPUS, PolicyServer  # noqa: E402

CHROMIUM = os.environ.get("CLAUSEWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "ota").is_dir():
        pytest.skip(f"the policy corpus is not at {CORPUS} (it lives in ../shared beside the repository)")
    return CORPUS


@pytest.fixture
def server():
    srv = PolicyServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: use Debian's Chromium; `playwright install` cannot download browsers here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM}
