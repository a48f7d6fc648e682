"""When sync runs (a clock moved by hand), and the worker loop in a real thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

from caseclient.errors import CentralBusy, Offline
from caseclient.sync.engine import SyncReport
from caseclient.sync.scheduler import (
    EngineHandle,
    SyncFailed,
    SyncLoop,
    SyncOutcome,
    SyncSchedule,
    Trigger,
)


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def schedule(ticks: Ticks) -> SyncSchedule:
    return SyncSchedule(monotonic=ticks, debounce=3, max_delay=30, interval=300, retry_min=15)


def test_start_and_sync_now_are_due_at_once_and_the_timer_follows_a_run() -> None:
    ticks = Ticks()
    plan = schedule(ticks)
    plan.request(Trigger.START)
    assert plan.take() is Trigger.START and plan.take() is None
    plan.finished(ok=True)
    assert plan.seconds_until_due() == 300
    plan.request(Trigger.MANUAL)
    assert plan.take() is Trigger.MANUAL
    plan.finished(ok=True)
    ticks.now += 300
    assert plan.take() is Trigger.TIMER


def test_edits_are_debounced_but_never_wait_past_the_cap() -> None:
    ticks = Ticks()
    plan = schedule(ticks)
    plan.finished(ok=True)
    plan.request(Trigger.EDIT)
    assert plan.seconds_until_due() == 3
    for _ in range(20):                     # typing: a save every 2 seconds
        ticks.now += 2
        plan.request(Trigger.EDIT)
        if plan.take() is not None:
            break
    assert ticks.now - 1000 <= 30 + 2
    assert plan.take() is None


def test_sync_now_during_a_burst_of_edits_runs_at_once() -> None:
    ticks = Ticks()
    plan = schedule(ticks)
    plan.finished(ok=True)
    plan.request(Trigger.EDIT)
    plan.request(Trigger.MANUAL)
    plan.request(Trigger.EDIT)
    assert plan.take() is Trigger.MANUAL


def test_after_failures_the_timer_backs_off_up_to_the_interval() -> None:
    ticks = Ticks()
    plan = schedule(ticks)
    waits = []
    for _ in range(7):
        plan.finished(ok=False)
        waits.append(plan.seconds_until_due())
    assert waits == [15, 30, 60, 120, 240, 300, 300]
    plan.finished(ok=True)
    plan.finished(ok=False)
    assert plan.seconds_until_due() == 15


class Engine:
    def __init__(self, *steps: Callable[[], SyncReport]) -> None:
        self.steps = list(steps)

    def run(self) -> SyncReport:
        return self.steps.pop(0)()


def run_loop(engine: Engine, outcomes_wanted: int,
             between: Callable[[SyncLoop, int], None] | None = None) -> tuple[list[SyncOutcome], list[str]]:
    outcomes: list[SyncOutcome] = []
    events: list[str] = []
    loop: SyncLoop

    def opened(stopping: Callable[[], bool]) -> EngineHandle:
        events.append("open")
        return EngineHandle(engine, lambda: events.append("close"))

    def received(outcome: SyncOutcome) -> None:
        outcomes.append(outcome)
        if len(outcomes) >= outcomes_wanted:
            loop.stop()
        elif between is not None:
            between(loop, len(outcomes))

    loop = SyncLoop(opened, received)
    worker = threading.Thread(target=loop.run)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    return outcomes, events


def offline() -> SyncReport:
    raise Offline()


def broken() -> SyncReport:
    raise RuntimeError("a bug")


def test_the_loop_syncs_on_start_reports_errors_and_closes_its_own_connection_when_stopped() -> None:
    engine = Engine(lambda: SyncReport(sent=2), offline, broken, lambda: SyncReport(pulled=1))
    outcomes, events = run_loop(engine, 4, lambda loop, _n: loop.request(Trigger.MANUAL))
    assert [o.trigger for o in outcomes] == [Trigger.START] + [Trigger.MANUAL] * 3
    assert outcomes[0].ok and outcomes[0].report is not None and outcomes[0].report.sent == 2
    assert not outcomes[1].online and isinstance(outcomes[1].error, Offline)
    assert isinstance(outcomes[2].error, SyncFailed)
    assert outcomes[3].ok
    assert events == ["open", "close"]


def test_a_wait_asked_by_the_central_system_is_kept_before_the_next_timed_run() -> None:
    ticks = Ticks()
    plan = schedule(ticks)
    plan.finished(ok=False, not_before=240)
    assert plan.seconds_until_due() == 240     # not the 15 s retry
    plan.request(Trigger.MANUAL)                # the officer's "Sync now" still runs at once
    assert plan.take() is Trigger.MANUAL
    plan.finished(ok=False, not_before=5)
    assert plan.seconds_until_due() == 30       # the backoff is longer than the server's wait


def test_the_loop_passes_the_central_systems_wait_to_the_schedule() -> None:
    ticks = Ticks()
    plan = schedule(ticks)

    def busy() -> SyncReport:
        raise CentralBusy(600)

    outcomes: list[SyncOutcome] = []
    loop = SyncLoop(lambda _stopping: EngineHandle(Engine(busy), lambda: None),
                    lambda outcome: (outcomes.append(outcome), loop.stop()), schedule=plan)
    worker = threading.Thread(target=loop.run)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert not outcomes[0].online and "10 minutes" in outcomes[0].error.plain()  # type: ignore[union-attr]
    assert plan.seconds_until_due() == 600
