"""The CPU-bound part of a check, as one pure, picklable step: capture bytes → text, hash, clauses.

Extraction (trafilatura), the decision text and clause finding take ~90 % of a first run's time
and hold the GIL, so a run with many captures to read sends them to a small process pool (one
worker per core); this module imports only what that step needs, so workers start quickly.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from .errors import ExtractError
from .models import Clause, Extracted

# Below this many captures to read, a pool costs more to start (~0.3 s per worker to import
# trafilatura) than it saves (~60 ms per page on one core).  Measured with
# benchmarks/check_throughput.py; re-run it when changing this.
POOL_MIN_CAPTURES = 12
PROCESSES_ENV = "CLAUSEWATCH_PROCESSES"  # how many extraction processes at most (default: one per core)


@dataclass(frozen=True)
class Analysis:
    """What a capture's bytes say, before the store is consulted."""

    extracted: Extracted | None  # None = extraction failed (see error)
    error: str | None = None  # the ExtractError message, or None
    decision_hash: str | None = None
    words: int = 0
    clauses: tuple[Clause, ...] | None = None  # None = not computed: the text equals a known version


def analyse(body: bytes, content_type: str, select: tuple[str, ...] = (), remove: tuple[str, ...] = (),
            known_hashes: frozenset[str] = frozenset()) -> Analysis:
    """Extract, hash and (for a text not seen before) find the clauses of one capture."""
    from .clauses import extract_clauses
    from .extract import extract
    from .normalize import decision_hash, word_count

    try:
        extracted = extract(body, content_type, select=select, remove=remove)
    except ExtractError as exc:
        return Analysis(None, str(exc))
    digest = decision_hash(extracted.text)
    clauses = None if digest in known_hashes else tuple(extract_clauses(extracted.text))
    return Analysis(extracted, None, digest, word_count(extracted.text), clauses)


def _worker_start() -> None:
    """In each worker: die with the run, then import the heavy modules before the first job arrives."""
    _die_with_parent()
    from . import clauses, extract  # noqa: F401

    extract.extractor_version()


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker when the run that started it dies, even by SIGKILL.

    Without it a killed ``clausewatch run`` would leave its idle workers behind for good.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the executor's own shutdown still applies
        pass


def make_pool(jobs: int) -> Executor | None:
    """A process pool for ``jobs`` captures, or None when one core (or few jobs) is better."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = os.environ.get(PROCESSES_ENV, "").strip()
    if wanted.isdigit():  # an explicit choice, e.g. 1 to keep everything in one process
        cpus = int(wanted)
    if cpus < 2 or jobs < POOL_MIN_CAPTURES:
        return None
    import multiprocessing

    # spawn, not fork: the run's HTTP threads may hold locks at the moment of a fork; and not
    # forkserver: its server (and the workers it forks) outlive a killed run.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=min(cpus, 8), mp_context=context, initializer=_worker_start)
