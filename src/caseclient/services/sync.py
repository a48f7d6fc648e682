"""SyncService: the sync worker thread, the status area's facts, and the Needs attention list.

The engine runs in a worker ``QThread`` with its own store connection (see
``sync/factory.py``); results come back to the UI thread through queued signals
carrying frozen values. Counts (waiting, oldest waiting, needs attention) are
read from the UI thread's own store after every run and every edit, so they
change the moment the officer saves. Signals fire only when their value
changes, so a screen reader announces changes, not repeats.
"""

from __future__ import annotations

import ctypes
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from caseclient.errors import CentralBusy, Offline, SignedOut
from caseclient.storage import outbox, sync_state
from caseclient.storage.store import Store
from caseclient.sync.conflicts import (
    Attention,
    Choice,
    Conflict,
    Rejection,
    dismiss,
    needing_attention,
    resolve,
)
from caseclient.sync.scheduler import EngineHandle, SyncLoop, SyncOutcome, SyncSchedule, Trigger

OpenEngine = Callable[[Callable[[], bool], Callable[[int], None]], EngineHandle]


def _emit(signal: Any, *args: object) -> None:
    """Emit, keeping ``True``'s reference count whole.

    PySide6 6.12.0 returns the bool result of ``SignalInstance.emit`` without a
    reference of its own, so every emit takes one reference from ``True``; after
    a few thousand the interpreter aborts ("bool_dealloc"). Giving one back per
    emit is exact on 6.12.0 and harmless where the bug is fixed (``True`` is never
    freed).
    """
    result = signal.emit(*args)
    if isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


@dataclass(frozen=True)
class SyncStatus:
    """Everything the status area shows, in one value."""

    online: bool | None                    # None until the first attempt
    signed_in: bool
    syncing: bool
    last_sync_at: dt.datetime | None
    waiting: int
    oldest_waiting_age: dt.timedelta | None
    needs_attention: int
    message: str                           # one plain-English line
    clock_warning: str | None = None
    busy: bool = False                     # not reachable because it asked to wait, not down


def _message(status: SyncStatus) -> str:
    if not status.signed_in:
        return SignedOut.message
    if status.online is False:
        return CentralBusy.message if status.busy else Offline.message
    if status.needs_attention:
        return f"{status.needs_attention} item(s) need your attention."
    if status.waiting:
        return f"{status.waiting} item(s) waiting to be sent."
    if status.last_sync_at is None:
        return "Not synced yet."
    return "Everything is sent."


class _Worker(QThread):
    outcome = Signal(object)     # SyncOutcome
    progress = Signal(int)

    def __init__(self, open_engine: OpenEngine, schedule: SyncSchedule | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loop = SyncLoop(lambda stopping: open_engine(stopping, lambda n: _emit(self.progress, n)),
                             lambda outcome: _emit(self.outcome, outcome), schedule=schedule)

    def run(self) -> None:
        self.loop.run()


class SyncService(QObject):
    status_changed = Signal(object)          # SyncStatus
    online_changed = Signal(bool)
    last_sync_changed = Signal(object)       # datetime
    waiting_changed = Signal(int, object)    # count, age of the oldest (timedelta | None)
    attention_changed = Signal(int)
    pull_progress = Signal(int)              # records received so far in this pull
    sign_in_needed = Signal(str)             # "Sign in to send your work."
    sync_finished = Signal(object)           # SyncOutcome
    profile_wiped = Signal(str)              # the central system ordered this copy erased

    def __init__(self, store: Callable[[], Store], clock: Callable[[], dt.datetime],
                 open_engine: OpenEngine, *, signed_in: Callable[[], bool],
                 schedule: Callable[[], SyncSchedule] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._open_engine = open_engine
        self._signed_in = signed_in
        self._schedule = schedule
        self._worker: _Worker | None = None
        self._status = SyncStatus(None, True, False, None, 0, None, 0, "")
        self._status = replace(self._status, message=_message(self._status))

    # ---- the worker ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Start the worker (after unlock); it syncs at once, then as scheduled."""
        if self._worker is not None:
            return
        worker = _Worker(self._open_engine, None if self._schedule is None else self._schedule(), self)
        worker.outcome.connect(self._on_outcome)
        worker.progress.connect(self.pull_progress)
        self._worker = worker
        self._update(syncing=True, signed_in=self._signed_in())
        worker.start()

    def stop(self) -> None:
        """Stop the worker (lock, quit): a run in progress ends between two requests."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.loop.stop()
        worker.wait()
        worker.outcome.disconnect(self._on_outcome)
        worker.deleteLater()
        self._update(syncing=False)

    def sync_now(self) -> None:
        if self._worker is None:
            self.start()
            return
        self._update(syncing=True)
        self._worker.loop.request(Trigger.MANUAL)

    def note_edit(self, *_args: object) -> None:
        """Connect to the services' save signals: counts refresh now, a sync follows shortly."""
        self.refresh()
        if self._worker is not None:
            self._worker.loop.request(Trigger.EDIT)

    def signed_in_again(self) -> None:
        self._update(signed_in=True)
        self.sync_now()

    # ---- what the officer sees -------------------------------------------------------------------
    @property
    def status(self) -> SyncStatus:
        return self._status

    def refresh(self) -> SyncStatus:
        """Re-read the counts from this thread's store and announce what changed."""
        store = self._store()
        counts = store.outbox_counts()
        oldest = store.oldest_waiting_at()
        age = None if oldest is None else max(dt.timedelta(0),
                                              self._clock() - dt.datetime.fromisoformat(oldest))
        state = sync_state.read(store.db.raw)
        return self._update(waiting=sum(counts.get(s, 0) for s in outbox.WAITING),
                            oldest_waiting_age=age,
                            needs_attention=sum(counts.get(s, 0) for s in outbox.NEEDS_ATTENTION),
                            last_sync_at=state.last_sync_at)

    def needing_attention(self) -> list[Attention]:
        return needing_attention(self._store())

    def resolve(self, conflict: Conflict, choices: Mapping[str, Choice], *,
                keep_deleted: bool | None = None) -> str | None:
        made = resolve(self._store(), conflict, choices, keep_deleted=keep_deleted, clock=self._clock)
        self.note_edit()
        return made

    def dismiss(self, rejection: Rejection) -> None:
        dismiss(self._store(), rejection, clock=self._clock)
        self.refresh()

    # ---- internals -----------------------------------------------------------------------------
    def _update(self, **changes: object) -> SyncStatus:
        before = self._status
        after = replace(before, **changes)  # type: ignore[arg-type]
        after = replace(after, message=_message(after))
        if after == before:
            return after
        self._status = after
        if after.online is not None and after.online != before.online:
            _emit(self.online_changed, after.online)
        if after.last_sync_at != before.last_sync_at and after.last_sync_at is not None:
            _emit(self.last_sync_changed, after.last_sync_at)
        if (after.waiting, after.oldest_waiting_age) != (before.waiting, before.oldest_waiting_age):
            _emit(self.waiting_changed, after.waiting, after.oldest_waiting_age)
        if after.needs_attention != before.needs_attention:
            _emit(self.attention_changed, after.needs_attention)
        if not after.signed_in and before.signed_in:
            _emit(self.sign_in_needed, SignedOut.message)
        _emit(self.status_changed, after)
        return after

    def _on_outcome(self, outcome: SyncOutcome) -> None:
        report = outcome.report
        if report is not None and report.wiped:
            self.stop()
            _emit(self.profile_wiped, " ".join(report.notes) or report.summary())
            _emit(self.sync_finished, outcome)
            return
        self._update(syncing=False, online=outcome.online, busy=outcome.busy,
                     signed_in=not outcome.signed_out,
                     clock_warning=None if report is None else report.clock_warning)
        self.refresh()
        _emit(self.sync_finished, outcome)
