"""200 % without loss (WCAG 1.4.4, 1.4.10, 2.4.11): every screen at QT_SCALE_FACTOR=2, at
the app's own 200 % text size, and at both together (text four times its usual size in
640×400 logical pixels) keeps every control reachable and no label clipped.

Each scale runs tests/a11y/scale/scale_check.py in a fresh process (Qt reads the scale
factor once) on the offscreen platform configured as a 1280×800 laptop screen, so at
QT_SCALE_FACTOR=2 the windows get 640×400 logical pixels. Screenshots of every screen
are saved under the pytest temporary folder, and its path printed, to be looked at.
Needs attention holding a conflict and a refusal, its chooser, refusal and export dialogs,
and the assessment editor (its first section, a page of long answers, the answers missing
when signing too early, the summary signed for) are checked on a second made-up profile,
the one scripts/screenshots.py draws.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from caseclient.ui.announce import Announcer
from caseclient.ui.sync_status.status import SyncStatus
from caseclient.ui.sync_status.status_bar import SyncStatusBar
from tests.a11y.scale.scale_check import clipped, sideways, unreachable

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
          "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1280, "height": 800,
                       "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
SCREENS = {"first-run-setup", "unlock", "recover", "caseload", "case", "today-and-diary",
           "needs-attention", "contact-editor", "contact-editor-errors", "settings", "sign-in",
           "keyboard-shortcuts", "auto-lock-warning", "crash", "needs-attention-items",
           "conflict-chooser", "rejection", "export", "assessment-first-section",
           "assessment-long-answers", "assessment-sign-missing", "assessment-sign-summary",
           "assessment-countersign", "assessment-return"}


def _check(out: Path, text_size: int, scale: str) -> dict[str, list[str]]:
    out.mkdir(parents=True)
    config = out / "screen.json"
    config.write_text(json.dumps(SCREEN), "utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("QT_")}
    env.update(QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale,
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run([sys.executable, "-m", "tests.a11y.scale.scale_check", str(out), str(text_size)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(("scale", "text_size"), [("2", 100), ("1", 200), ("2", 200)],
                         ids=["QT_SCALE_FACTOR=2", "text-200-percent", "both-together"])
def test_every_screen_keeps_controls_reachable_and_labels_whole(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        scale: str, text_size: int) -> None:
    out = tmp_path_factory.getbasetemp() / "a11y-screenshots" / f"scale-{scale}-text-{text_size}"
    result = _check(out, text_size, scale)
    with capsys.disabled():
        print(f"\nscreenshots at scale {scale}, text {text_size} %: {out}")
    assert set(result["screens"]) >= SCREENS
    assert len(list(out.glob("*.png"))) == len(result["screens"])
    assert result["problems"] == []


def test_the_geometry_checks_catch_what_they_look_for(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    squeezed = QLabel("A label given far less room than its words need")
    squeezed.setFixedSize(40, 10)
    scroll = QScrollArea(window)
    scroll.setGeometry(0, 0, 300, 100)
    body = QWidget()
    body.setFixedSize(280, 2000)
    low = QPushButton("Far down", body)
    low.move(0, 1900)
    scroll.setWidget(body)                 # nothing scrolls the button into view when focused
    words = QListView(window)             # an item wider than the list: read by scrolling sideways
    words.setModel(QStringListModel(["A list item far wider than the narrow list it is in"], words))
    words.setGeometry(0, 100, 60, 20)
    layout = QVBoxLayout()
    layout.addWidget(squeezed)
    holder = QWidget(window)
    holder.setGeometry(0, 120, 300, 60)
    holder.setLayout(layout)
    window.show()
    qtbot.waitExposed(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert any("far less room" in p for p in clipped(window))
    assert any("Far down" in p for p in unreachable(window, app))
    assert sideways(window) == ["QListView('') scrolls sideways to show its items"]


@pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")   # offscreen only
def test_the_status_bar_wraps_onto_rows_rather_than_widen_the_window(qtbot: QtBot) -> None:
    """Its longest state in a window a quarter of a laptop's width (as 200 % text at
    QT_SCALE_FACTOR=2 leaves it): every part whole and on screen, none overlapping."""
    now = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QWidget())
    bar = SyncStatusBar(lambda: now, Announcer(window))
    window.setStatusBar(bar)
    bar.show_status(SyncStatus(online=False, signed_out=True, last_sync=now - dt.timedelta(hours=3),
                               waiting=12, oldest_waiting=now - dt.timedelta(hours=5), needs_attention=2,
                               clock_warning="This laptop's clock is 9 minutes behind the central system's."))
    window.resize(320, 400)
    window.show()
    qtbot.waitExposed(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert window.width() <= 320
    assert clipped(window) == []
    assert unreachable(window, app) == []
    parts = [w for w in (bar.connection, bar.last_sync, bar.waiting, bar.attention, bar.clock,
                         bar.sign_in_button, bar.sync_button) if w.isVisible()]
    assert len(parts) == 7
    boxes = [w.geometry() for w in parts]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert len({box.top() for box in boxes}) > 1                     # it did wrap
    assert bar.sync_button.geometry().right() >= bar.parts.width() - 2   # the buttons keep right
