"""When each document is checked next (pure: values in, values out; no clock, no I/O).

* Each document has a grid of **nominal slots** ``due, due + interval, due + 2·interval …``
  starting from its first check.  The worker records the slot each check served in
  ``check_slots`` (same transaction as the check), and the next slot is always computed from
  the *nominal* time of the last one, never from when it actually ran.  So neither jitter nor a
  busy host nor a restart makes the schedule drift.  (APScheduler 3.x's own interval jitter is
  one-sided and chained on the jittered time: a daily job with 1 h of jitter drifts ≈30 min a
  day.  We only use APScheduler to fire at the times computed here.)
* **Jitter** is added to each slot: a deterministic offset in ``[0, jitter)`` taken from a hash
  of (document, slot), so a restarted worker computes the very same time, and checks are never
  *more* frequent than the interval.  Jitter is capped at half the interval.
* A restart reads the last check and slot of every document from the store: the slot already
  served is not served again, and the next one is not skipped.  A slot missed while the worker
  was down is caught up at once; several missed slots are coalesced into one check.
* A document checked outside the worker (``clausewatch run``) is next due one interval after
  that check.
* A failed check (transient fetch error, suspect capture, wall) is retried within the same
  slot with exponential backoff (``backoff_base · 2^(failures−1)``, at most one interval); a
  ``Retry-After`` from the server is honoured for the document and pauses its host.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .models import Outcome
from .store import parse_time

# Backoff for a failing document: the first retry after min(5 min, interval/8), doubling each
# time, never longer than one interval.  5 min is long enough for a restarting web server or a
# CDN hiccup to pass and short enough that a daily check that failed once is still done that day.
BACKOFF_BASE_S = 300.0
MAX_RETRY_AFTER_S = 7 * 24 * 3600.0  # a longer Retry-After is taken as a week


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- planning (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """When a document's next check runs, and which slot it serves."""

    document_id: str
    due_at: datetime  # the nominal (un-jittered) slot this check serves
    fire_at: datetime  # when it runs: slot + jitter, or a retry / Retry-After time, never before "now"
    attempt: int = 1  # 1 = the slot's first check; 2, 3 … = retries after failures
    why: str = ""  # "never checked", "next slot", "retry 2", "overdue …" (for status and logs)


def effective_jitter(interval_s: float, jitter_s: float) -> float:
    return max(0.0, min(jitter_s, interval_s / 2))


def jitter_offset(document_id: str, due_at: datetime, jitter_s: float) -> float:
    """A deterministic offset in [0, jitter_s) for one slot of one document."""
    if jitter_s <= 0:
        return 0.0
    digest = hashlib.sha256(f"{document_id}|{iso_ms(due_at)}".encode()).digest()
    return jitter_s * int.from_bytes(digest[:8], "big") / 2**64


def plan_next(document_id: str, interval_s: float, jitter_s: float, last_check: dict | None,
              last_slot: dict | None, now: datetime) -> Plan:
    """The next check of a document, from its last check and the worker slot it served (pure)."""
    step = timedelta(seconds=interval_s)
    jitter_s = effective_jitter(interval_s, jitter_s)

    def jittered(due: datetime) -> datetime:
        return due + timedelta(seconds=jitter_offset(document_id, due, jitter_s))

    if last_check is None:
        return Plan(document_id, now, jittered(now), 1, "never checked")
    not_before = None
    if last_slot is not None and last_slot["check_id"] == last_check["id"]:
        served = parse_time(last_slot["due_at"])
        due = served + step
        if last_slot.get("retry_at"):
            not_before = parse_time(last_slot["retry_at"])
            if not_before < jittered(due):
                attempt = (last_slot.get("attempt") or 1) + 1
                return Plan(document_id, served, max(not_before, now), attempt, f"retry {attempt}")
        why = "next slot"
    else:
        due = parse_time(last_check["started_at"]) + step
        why = "one interval after the last check (made outside the worker)"
    if jittered(due) < now:
        missed = math.floor((now - due) / step)
        due += missed * step
        why = "overdue" + (f", {missed} missed slot{'s' if missed > 1 else ''} coalesced" if missed else "")
    fire = max(jittered(due), now)
    if not_before is not None and not_before > fire:
        fire, why = not_before, why + ", after the server's Retry-After"
    return Plan(document_id, due, fire, 1, why)


def retry_delay(outcome: Outcome, error: Exception | None, failures: int, interval_s: float) -> float | None:
    """Seconds until this slot is tried again, or None to wait for the next slot (pure)."""
    retry_after = getattr(error, "retry_after", None)
    retryable = outcome == Outcome.SUSPECT or (
        outcome == Outcome.ERROR and (error is None or getattr(error, "transient", False)))
    if not retryable and retry_after is None:
        return None
    delay = 0.0
    if retryable:
        base = min(BACKOFF_BASE_S, interval_s / 8)
        delay = min(base * 2 ** (max(failures, 1) - 1), interval_s)
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER_S))
    return delay
