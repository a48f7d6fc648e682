"""Text size reaches the widgets that already exist, not only the application font.

Qt does not pass ``QApplication.setFont`` on to existing widgets once a style sheet is
set, so the main window's screens (made before the officer's settings are applied at
start, and already on screen when Settings changes the size) stayed at 100 % while
only windows opened later grew (found by scripts/screenshots.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.main import make_window
from caseclient.ui.main_window import MainWindow
from caseclient.ui.settings import DisplaySettings, SettingsFile, Theme
from tests.ui.conftest import OFFSCREEN_ONLY

pytestmark = OFFSCREEN_ONLY


@pytest.fixture
def system_size(qapp: QApplication) -> float:
    return qapp.font().pointSizeF()


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, services: AppServices, recovery_key: str,
           system_size: float) -> Iterator[MainWindow]:
    SettingsFile(services.paths.settings_file.with_name("display.ini")).save(
        DisplaySettings(theme=Theme.LIGHT, text_size=200))
    made = make_window(services, qapp)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    assert made.theme_applier is not None
    made.theme_applier.apply_system()


def test_the_size_chosen_reaches_every_screen_at_start_and_after_a_change(
        qapp: QApplication, window: MainWindow, system_size: float) -> None:
    system = system_size
    qapp.processEvents()
    screens = [window.caseload_screen.table, window.caseload_screen.search, window.unlock_screen,
               window.case_view, window.diary_screen, window.attention_screen, window.statusBar()]
    assert [w.font().pointSizeF() for w in screens] == [pytest.approx(system * 2)] * len(screens)

    window.apply_settings(window.display.with_changes(text_size=150))
    qapp.processEvents()
    assert [w.font().pointSizeF() for w in screens] == [pytest.approx(system * 1.5)] * len(screens)
