"""The worker's schedule (pure): slots from the store, jitter without drift, retries, catch-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from clausewatch.errors import ExtractError, FetchError
from clausewatch.models import Outcome
from clausewatch.schedule import effective_jitter, iso_ms, jitter_offset, plan_next, retry_delay

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
DAY = 24 * 3600.0
JIT = 1800.0


def check(check_id: int, started: datetime) -> dict:
    return {"id": check_id, "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z")}


def slot(check_id: int, due: datetime, attempt: int = 1, retry_at: datetime | None = None) -> dict:
    return {"check_id": check_id, "due_at": iso_ms(due), "attempt": attempt,
            "retry_at": iso_ms(retry_at) if retry_at else None}


def test_never_checked_is_due_now_within_the_jitter():
    plan = plan_next("doc", DAY, JIT, None, None, T0)
    assert plan.due_at == T0 and plan.attempt == 1 and plan.why == "never checked"
    assert T0 <= plan.fire_at < T0 + timedelta(seconds=JIT)


def test_next_slot_is_one_interval_after_the_served_slot_not_after_the_late_check():
    # The slot of 08:00 ran late (busy host) at 08:47; the next one is still 08:00 the next day + jitter.
    plan = plan_next("doc", DAY, JIT, check(7, T0 + timedelta(minutes=47)), slot(7, T0), T0 + timedelta(minutes=48))
    assert plan.due_at == T0 + timedelta(days=1)
    assert plan.why == "next slot"
    offset = (plan.fire_at - plan.due_at).total_seconds()
    assert offset == pytest.approx(jitter_offset("doc", plan.due_at, JIT))
    assert 0 <= offset < JIT


def test_a_restart_computes_the_same_time_and_does_not_recheck():
    last, served = check(7, T0 + timedelta(seconds=3)), slot(7, T0)
    before = plan_next("doc", DAY, JIT, last, served, T0 + timedelta(hours=1))
    after_restart = plan_next("doc", DAY, JIT, last, served, T0 + timedelta(hours=5))
    assert before == after_restart
    assert after_restart.fire_at > T0 + timedelta(hours=23)


def test_no_drift_over_a_year_of_late_and_jittered_checks():
    rng = random.Random(8)
    due, last, served, now = T0, None, None, T0
    dues = []
    for n in range(365):
        plan = plan_next("doc", DAY, JIT, last, served, now)
        dues.append(plan.due_at)
        started = plan.fire_at + timedelta(seconds=rng.uniform(0, 900))  # queueing, slow hosts
        last, served = check(n, started), slot(n, plan.due_at)
        now = started + timedelta(seconds=5)
        due = plan.due_at
    assert due == T0 + timedelta(days=364)
    assert all(b - a == timedelta(days=1) for a, b in zip(dues, dues[1:], strict=False))


def test_jitter_is_deterministic_one_sided_and_at_most_half_the_interval():
    offsets = [jitter_offset(f"doc-{i}", T0, 600) for i in range(500)]
    assert all(0 <= o < 600 for o in offsets)
    assert max(offsets) > 500 and min(offsets) < 100  # spread over the window
    assert jitter_offset("doc-1", T0, 600) == jitter_offset("doc-1", T0, 600)
    assert jitter_offset("doc-1", T0, 600) != jitter_offset("doc-1", T0 + timedelta(days=1), 600)
    assert effective_jitter(3600, 7200) == 1800  # never more than half the interval
    assert jitter_offset("doc", T0, 0) == 0


def test_overdue_after_a_short_outage_is_caught_up_at_once():
    now = T0 + timedelta(days=1, hours=3)  # the worker was down over the next day's 08:00 slot
    plan = plan_next("doc", DAY, 0, check(1, T0), slot(1, T0), T0 + timedelta(days=1, seconds=10))
    assert plan.due_at == T0 + timedelta(days=1) and plan.fire_at == T0 + timedelta(days=1, seconds=10)
    assert plan.why == "overdue"
    plan = plan_next("doc", DAY, 0, check(1, T0), slot(1, T0), now)
    assert plan.due_at == T0 + timedelta(days=1) and plan.fire_at == now


def test_several_missed_slots_are_coalesced_into_one_check_on_the_grid():
    now = T0 + timedelta(days=4, hours=2)
    plan = plan_next("doc", DAY, 0, check(1, T0), slot(1, T0), now)
    assert plan.due_at == T0 + timedelta(days=4)  # the latest slot before now, still on the 08:00 grid
    assert plan.fire_at == now
    assert "3 missed slots coalesced" in plan.why


def test_checked_outside_the_worker_counts_from_that_check():
    manual = T0 + timedelta(hours=10)
    # The worker's last slot was check 1; `clausewatch run` made check 2 later.
    plan = plan_next("doc", DAY, 0, check(2, manual), slot(1, T0), manual + timedelta(minutes=1))
    assert plan.due_at == manual + timedelta(days=1)
    assert "outside the worker" in plan.why


def test_retry_stays_in_the_slot_and_counts_attempts():
    retry_at = T0 + timedelta(minutes=5)
    plan = plan_next("doc", DAY, JIT, check(3, T0), slot(3, T0, attempt=1, retry_at=retry_at), T0 + timedelta(seconds=2))
    assert plan.due_at == T0 and plan.attempt == 2 and plan.fire_at == retry_at
    # After a restart past the retry time: retried at once.
    later = T0 + timedelta(hours=1)
    plan = plan_next("doc", DAY, JIT, check(3, T0), slot(3, T0, attempt=2, retry_at=retry_at), later)
    assert plan.attempt == 3 and plan.fire_at == later


def test_a_retry_after_beyond_the_next_slot_delays_that_slot():
    retry_at = T0 + timedelta(days=1, hours=6)
    plan = plan_next("doc", DAY, 0, check(3, T0), slot(3, T0, retry_at=retry_at), T0 + timedelta(seconds=1))
    assert plan.due_at == T0 + timedelta(days=1) and plan.attempt == 1
    assert plan.fire_at == retry_at and "Retry-After" in plan.why


def test_retry_delay_backs_off_exponentially_up_to_one_interval():
    transient = FetchError("HTTP 503", transient=True)
    delays = [retry_delay(Outcome.ERROR, transient, n, DAY) for n in range(1, 12)]
    assert delays[:4] == [300, 600, 1200, 2400]
    assert delays[-1] == DAY and all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert retry_delay(Outcome.ERROR, transient, 1, 80) == 10  # short intervals: base = interval / 8


def test_what_is_retried_and_what_waits_for_the_next_slot():
    assert retry_delay(Outcome.ERROR, FetchError("HTTP 404", transient=False), 1, DAY) is None
    assert retry_delay(Outcome.ERROR, ExtractError("no text"), 1, DAY) is None
    assert retry_delay(Outcome.SUSPECT, None, 1, DAY) == 300  # suspect: recorded, retried
    assert retry_delay(Outcome.ERROR, None, 2, DAY) == 600  # a wall (no exception): retried
    assert retry_delay(Outcome.UNCHANGED, None, 0, DAY) is None


def test_retry_after_is_honoured_even_when_longer_than_the_backoff():
    limited = FetchError("HTTP 429", transient=True, retry_after=7200)
    assert retry_delay(Outcome.ERROR, limited, 1, DAY) == 7200
    forbidden_but_says_when = FetchError("HTTP 403", transient=False, retry_after=120)
    assert retry_delay(Outcome.ERROR, forbidden_but_says_when, 1, DAY) == 120
    absurd = FetchError("HTTP 503", retry_after=10**9)
    assert retry_delay(Outcome.ERROR, absurd, 1, DAY) == 7 * DAY
