"""Autosave when typing never pauses: a deadline from the first unsaved change still commits.

Without it a fast typist (a key every 50 ms) kept restarting the pause timer and
nothing reached the disk until they stopped (found by tests/reliability/test_gui_crash.py).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from caseclient.ui.contacts.autosave import Autosave


def test_keys_that_never_pause_are_still_committed(qtbot: QtBot) -> None:
    keys: list[int] = []
    commits: list[int] = []
    autosave = Autosave(lambda: commits.append(len(keys)), pause_ms=150, max_wait_ms=200)
    for key in range(16):                      # 800 ms of keys, never a 150 ms pause
        keys.append(key)
        autosave.poke()
        qtbot.wait(50)
    assert commits, "nothing was committed while the keys kept coming"
    assert commits[0] < len(keys)
    qtbot.waitUntil(lambda: not autosave.pending)
    assert commits[-1] == len(keys), "the last keys are committed once typing stops"


def test_cancel_and_a_failed_commit_stop_the_deadline(qtbot: QtBot) -> None:
    commits: list[str] = []
    autosave = Autosave(lambda: commits.append("commit"), pause_ms=10_000, max_wait_ms=20)
    autosave.poke()
    autosave.cancel()
    qtbot.wait(80)
    assert commits == []
    assert not autosave.pending

    autosave.poke()
    qtbot.waitUntil(lambda: commits == ["commit"])
    autosave.retry_later(10_000)               # the commit failed: wait for the retry, not the deadline
    qtbot.wait(80)
    assert commits == ["commit"]
    assert autosave.pending
