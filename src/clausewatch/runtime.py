"""Process plumbing for the worker: structured log lines and the single-instance lock."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from .errors import StoreError
from .schedule import iso_ms

log = logging.getLogger("clausewatch.worker")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: ts, level, event, and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
               .replace("+00:00", "Z"), "level": record.levelname.lower(), "event": record.getMessage()}
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextLogFormatter(logging.Formatter):
    """logfmt-style: ``2026-… info check doc=x outcome=unchanged``."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        parts = [ts, record.levelname.lower(), record.getMessage()]
        for key, value in getattr(record, "fields", {}).items():
            text = str(value)
            if not text or any(c in text for c in ' "='):
                text = json.dumps(text, ensure_ascii=False)
            parts.append(f"{key}={text}")
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def emit(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, event, extra={"fields": {k: v for k, v in fields.items() if v is not None}})


class WorkerLock:
    """An exclusive ``flock`` on ``<db>.worker-lock``: the kernel drops it when the process dies,
    so a SIGKILLed worker never leaves a stale lock behind."""

    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.worker-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # as Store does for a new database
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the worker lock ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 4096).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            db = str(self.path).removesuffix(".worker-lock")
            raise StoreError(f"another worker is already running on {db} ({holder}); stop it first, "
                             "or give this one another --db") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {iso_ms(datetime.now(UTC))}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def held_by_other(self) -> str | None:
        """Who holds the lock (a description), or None when no worker runs; never blocks."""
        import fcntl

        if not self.path.exists():
            return None
        fd = os.open(self.path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return os.read(fd, 4096).decode("utf-8", "replace").strip() or "a worker"
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
