"""The one exception family of clausewatch.

    ClausewatchError            root: anything the CLI turns into a one-line message
    ├── ConfigError             watchlist.yaml is unreadable or invalid (names file and key path)
    ├── FetchError              a document could not be captured (transient? bot block?)
    ├── ExtractError            a capture held no usable text
    ├── StoreError              the database is unusable or locked, or a record is missing
    └── InputError              a command-line argument names something that does not exist

The CLI maps every ClausewatchError to ``clausewatch: <message>`` and exit status 2 (bad input)
or 1 (anything else); no traceback reaches a user.
"""

from __future__ import annotations


class ClausewatchError(Exception):
    """Root of every error clausewatch raises on purpose."""

    exit_code = 1


class ConfigError(ClausewatchError):
    """The watchlist file is missing, unparsable or fails validation."""

    exit_code = 2


class InputError(ClausewatchError):
    """A command-line argument names a document, version, file or URL that is not usable."""

    exit_code = 2


class StoreError(ClausewatchError):
    """The database cannot be opened, is locked, or lacks a requested record."""


class FetchError(ClausewatchError):
    """A capture failed; ``transient`` says whether retrying later may help."""

    def __init__(self, reason: str, *, transient: bool = True, bot_block: bool = False, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.bot_block = bot_block
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait; None = it did not say


class ExtractError(ClausewatchError):
    """The capture was fetched but no policy text could be taken out of it."""
