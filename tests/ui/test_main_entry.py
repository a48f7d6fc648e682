"""The entry point the command line calls: runs the loop, and locks (saving everything) on the way out."""

from __future__ import annotations

import gc
import sys
import weakref

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.main import run, settle_heap
from caseclient.ui.main_window import MainWindow
from caseclient.ui.theme import ThemeApplier
from tests.ui.conftest import OFFSCREEN_ONLY

pytestmark = OFFSCREEN_ONLY


def test_run_shows_the_window_and_locks_when_the_loop_ends(
        qtbot: QtBot, qapp: QApplication, services: AppServices, case_ids: dict[str, str]) -> None:
    restore = ThemeApplier(qapp)
    hook = sys.excepthook
    seen: list[MainWindow] = []
    pages: list[str] = []
    wired: list[MainWindow] = []
    frozen: list[int] = []

    def look_then_quit() -> None:
        frozen.append(gc.get_freeze_count())
        seen.extend(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        pages.extend(type(w.pages.currentWidget()).__name__ for w in seen)
        qapp.exit(0)     # not quit(): that starts closing the whole application for later tests

    QTimer.singleShot(0, look_then_quit)
    try:
        assert run(services, ["caseclient"], wire=wired.append) == 0
    finally:
        restore.apply_system()
        gc.unfreeze()
    assert frozen and frozen[0] > 0, "the heap is settled before the loop runs"
    assert len(seen) == 1
    assert wired == seen
    assert pages == ["QStackedWidget"], "already unlocked: straight to the workspace"
    assert not services.session.unlocked
    assert seen[0].pages.currentWidget() is seen[0].unlock_screen
    assert sys.excepthook is hook
    for window in seen:
        window.close()
        window.deleteLater()


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_settle_heap_frees_what_is_garbage_and_freezes_what_lives() -> None:
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage                        # a cycle: only the collector frees it
    alive = _Node()
    try:
        settle_heap()
        assert gone() is None, "garbage is collected before the freeze, not kept for ever"
        assert gc.get_freeze_count() > 0
        assert not any(obj is alive for obj in gc.get_objects()), \
            "what lives now is out of every generation a collection walks"
    finally:
        gc.unfreeze()
    assert any(obj is alive for obj in gc.get_objects())
