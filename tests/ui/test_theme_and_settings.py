"""Every theme keeps WCAG contrast; settings change lock time, theme and text size by keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.ui.announce import Announcement
from caseclient.ui.main_window import MainWindow
from caseclient.ui.settings import DisplaySettings, SettingsFile, Theme
from caseclient.ui.theme import ThemeApplier, ThemeColours
from tests.ui.audit import duplicate_mnemonics, problems
from tests.ui.conftest import OFFSCREEN_ONLY

pytestmark = OFFSCREEN_ONLY

TEXT_PAIRS = [("text", "base"), ("text", "alternate_base"), ("window_text", "window"),
              ("button_text", "button"), ("highlighted_text", "highlight"), ("link", "base"),
              ("placeholder", "base"), ("disabled_text", "window"), ("tooltip_text", "tooltip_base"),
              ("error", "base"), ("error", "window")]
PART_PAIRS = [("focus_edge", "base"), ("focus_edge", "window"), ("focus_edge", "button"),
              ("field_edge", "base"), ("field_edge", "window"), ("field_edge", "button")]


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", [t for t in Theme if t is not Theme.SYSTEM], ids=str)
def test_every_theme_keeps_contrast(theme: Theme) -> None:
    colours = ThemeColours.load(theme).colours
    low_text = {f"{a}/{b}": round(contrast(colours[a], colours[b]), 2) for a, b in TEXT_PAIRS
                if contrast(colours[a], colours[b]) < 4.5}
    low_parts = {f"{a}/{b}": round(contrast(colours[a], colours[b]), 2) for a, b in PART_PAIRS
                 if contrast(colours[a], colours[b]) < 3.0}
    assert low_text == {} and low_parts == {}


@pytest.fixture
def applier(qapp: QApplication) -> Iterator[ThemeApplier]:
    theme_applier = ThemeApplier(qapp)
    yield theme_applier
    theme_applier.apply_system()


def test_settings_by_keyboard_are_applied_and_kept(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str], applier: ThemeApplier,
        qapp: QApplication, heard: list[Announcement]) -> None:
    window = MainWindow(services, theme_applier=applier)
    window.announcer.did_announce.connect(heard.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert problems(window) == [] and duplicate_mnemonics(window) == []
    base_size = qapp.font().pointSizeF()

    dialog = window.show_settings()
    assert problems(dialog) == [] and duplicate_mnemonics(dialog) == []
    qtbot.waitUntil(dialog.auto_lock.hasFocus)
    assert dialog.auto_lock.currentText() == "10 minutes"
    qtbot.keyClick(dialog.auto_lock, Qt.Key.Key_Down)          # 15 minutes
    qtbot.keyClick(dialog.auto_lock, Qt.Key.Key_Tab)
    dialog.theme.setCurrentIndex(dialog.theme.findData(Theme.HIGH_CONTRAST.value))
    dialog.text_size.setCurrentIndex(dialog.text_size.findData(200))
    dialog.text_size.setFocus()
    qtbot.keyClick(dialog.text_size, Qt.Key.Key_Return)        # Enter presses OK

    assert window.display == DisplaySettings(15, Theme.HIGH_CONTRAST, 200)
    assert window.autolock.idle_ms == 15 * 60_000
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == "#000000"
    assert qapp.font().pointSizeF() == pytest.approx(base_size * 2)
    assert "border: 3px solid #00ffff" in qapp.styleSheet()
    assert heard[-1] == Announcement("Settings saved.", assertive=False)
    reread = SettingsFile(services.paths.settings_file.with_name("display.ini")).load()
    assert reread == DisplaySettings(15, Theme.HIGH_CONTRAST, 200)
