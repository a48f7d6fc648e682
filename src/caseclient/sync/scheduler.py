"""When to sync, and the worker loop that does it.

:class:`SyncSchedule` is the policy, a plain object on an injected monotonic
clock: sync on start, a few seconds after the last edit (debounced, but never
later than ``max_delay`` after the first of a burst), every ``interval``, and at
once on "Sync now"; after a failure the timer retries sooner, backing off.

:class:`SyncLoop` is the body of the worker thread (the Qt ``QThread`` lives in
``services/sync.py``; this layer stays free of Qt). It opens its *own* engine —
its own store connection — inside the worker, waits for the schedule, runs the
engine, hands each :class:`SyncOutcome` to a callback, and returns promptly
when stopped (lock, quit): a run in progress stops between two requests.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from caseclient.errors import CentralBusy, KnownError, Offline, SignedOut, SyncError
from caseclient.sync.engine import SyncReport

log = logging.getLogger(__name__)


class Trigger(StrEnum):
    START = "start"
    EDIT = "edit"
    TIMER = "timer"
    MANUAL = "manual"


class SyncFailed(SyncError):
    message = "Sync stopped because of an unexpected problem."
    advice = ("Your work is kept on this laptop. Sync will try again; "
              "if this keeps happening, tell IT support.")


@dataclass(frozen=True)
class SyncOutcome:
    """What one run came to, for the UI thread (frozen: it crosses threads)."""

    trigger: Trigger
    finished_at: dt.datetime
    report: SyncReport | None
    error: KnownError | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def online(self) -> bool:
        return not isinstance(self.error, Offline)

    @property
    def busy(self) -> bool:
        """The central system answered but asked to wait longer than a sync waits."""
        return isinstance(self.error, CentralBusy)

    @property
    def signed_out(self) -> bool:
        return isinstance(self.error, SignedOut)


class SyncSchedule:
    """Decides when the next run is due. Not thread-safe by itself (SyncLoop guards it)."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic, debounce: float = 3.0,
                 max_delay: float = 30.0, interval: float = 300.0, retry_min: float = 15.0) -> None:
        self._now = monotonic
        self._debounce = debounce
        self._max_delay = max_delay
        self._interval = interval
        self._retry_min = retry_min
        self._retry = retry_min
        self._due: float | None = None
        self._reason: Trigger | None = None
        self._burst_started: float | None = None
        self._timer_due = monotonic() + interval

    def request(self, trigger: Trigger) -> None:
        now = self._now()
        if trigger is not Trigger.EDIT:
            self._due, self._reason = now, trigger
            return
        if self._due is not None and self._reason is not Trigger.EDIT:
            return            # a run is already due at once; it carries the edit
        if self._burst_started is None:
            self._burst_started = now
        self._due = min(now + self._debounce, self._burst_started + self._max_delay)
        self._reason = Trigger.EDIT

    def seconds_until_due(self) -> float:
        due = self._timer_due if self._due is None else min(self._due, self._timer_due)
        return max(0.0, due - self._now())

    def take(self) -> Trigger | None:
        """The reason of the run that is due now, or None if none is."""
        if self.seconds_until_due() > 0:
            return None
        reason = self._reason if self._due is not None and self._due <= self._now() else Trigger.TIMER
        self._due, self._reason, self._burst_started = None, None, None
        return reason

    def finished(self, ok: bool, not_before: float | None = None) -> None:
        """A run ended: the timer restarts; after a failure it comes back sooner, backing off,
        but not before ``not_before`` seconds when the central system asked for that wait
        ("Sync now" still runs at once)."""
        if ok:
            self._retry = self._retry_min
            self._timer_due = self._now() + self._interval
        else:
            self._timer_due = self._now() + max(self._retry, not_before or 0.0)
            self._retry = min(self._interval, self._retry * 2)


def _asked_wait(error: KnownError | None) -> float | None:
    return error.retry_after if isinstance(error, CentralBusy) else None


class EngineLike(Protocol):
    def run(self) -> SyncReport: ...


@dataclass(frozen=True)
class EngineHandle:
    """An engine opened inside the worker thread, and how to close what it opened."""

    engine: EngineLike
    close: Callable[[], None]


class SyncLoop:
    """The worker's loop. ``request`` and ``stop`` may be called from any thread."""

    def __init__(self, open_engine: Callable[[Callable[[], bool]], EngineHandle],
                 on_outcome: Callable[[SyncOutcome], None], *, schedule: SyncSchedule | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._open_engine = open_engine
        self._on_outcome = on_outcome
        self._schedule = schedule or SyncSchedule()
        self._clock = clock
        self._cond = threading.Condition()
        self._stopped = False
        self._schedule.request(Trigger.START)

    def request(self, trigger: Trigger) -> None:
        with self._cond:
            self._schedule.request(trigger)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        with self._cond:
            return self._stopped

    def _next(self) -> Trigger | None:
        with self._cond:
            while not self._stopped:
                trigger = self._schedule.take()
                if trigger is not None:
                    return trigger
                self._cond.wait(timeout=self._schedule.seconds_until_due())
            return None

    def run(self) -> None:
        """The worker thread's body: returns when stopped."""
        handle = self._open_engine(lambda: self.stopped)
        try:
            while (trigger := self._next()) is not None:
                outcome = self._run_once(handle.engine, trigger)
                with self._cond:
                    self._schedule.finished(outcome.ok, _asked_wait(outcome.error))
                if not self.stopped or outcome.report is not None:
                    self._on_outcome(outcome)
        finally:
            handle.close()

    def _run_once(self, engine: EngineLike, trigger: Trigger) -> SyncOutcome:
        try:
            report = engine.run()
        except KnownError as error:
            log.info("sync stopped: %s", type(error).__name__)
            return SyncOutcome(trigger, self._clock(), None, error)
        except Exception as error:  # noqa: BLE001 - a bug must not end the worker
            # where it happened, not its message: a message may quote case data
            log.error("sync failed unexpectedly: %s at\n%s", type(error).__name__,
                      "".join(traceback.format_tb(error.__traceback__)))
            return SyncOutcome(trigger, self._clock(), None, SyncFailed())
        return SyncOutcome(trigger, self._clock(), report, None)
