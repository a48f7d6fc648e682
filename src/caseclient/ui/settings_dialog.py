"""Settings: how soon Caseclient locks, the theme, the text size and the server. Applied on OK."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from caseclient.ui.forms import buddy_label
from caseclient.ui.reflow import fit_to_screen
from caseclient.ui.settings import AUTO_LOCK_CHOICES, TEXT_SIZES, DisplaySettings, Theme


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))


class SettingsDialog(QDialog):
    def __init__(self, current: DisplaySettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.auto_lock = QComboBox()
        for minutes in AUTO_LOCK_CHOICES:
            self.auto_lock.addItem(f"{minutes} minutes" if minutes < 60 else "1 hour", minutes)
        self.theme = QComboBox()
        for theme in Theme:
            self.theme.addItem(theme.words, theme.value)
        self.text_size = QComboBox()
        for size in TEXT_SIZES:
            self.text_size.addItem(f"{size}%", size)
        _select(self.auto_lock, current.auto_lock_minutes)
        _select(self.theme, current.theme.value)
        _select(self.text_size, current.text_size)
        self.server = QLineEdit(current.server_url)
        self.server.setPlaceholderText("https://")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)   # field under its label when narrow
        form.addRow(buddy_label("&Lock after this long without use", self.auto_lock, "Lock after",
                                "A warning comes a minute before, and any key keeps Caseclient "
                                "unlocked."), self.auto_lock)
        form.addRow(buddy_label("&Theme", self.theme, "Theme",
                                "Follow the system, light, dark or high contrast."), self.theme)
        form.addRow(buddy_label("Te&xt size", self.text_size, "Text size"), self.text_size)
        form.addRow(buddy_label("Central system &address", self.server, "Central system address",
                                "Offered when you next sign in; a new address takes effect once you "
                                "have signed in there."), self.server)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        QWidget.setTabOrder(self.auto_lock, self.theme)
        QWidget.setTabOrder(self.theme, self.text_size)
        QWidget.setTabOrder(self.text_size, self.server)

    def showEvent(self, event: QShowEvent) -> None:
        fit_to_screen(self)
        super().showEvent(event)

    def chosen(self) -> DisplaySettings:
        return DisplaySettings(int(self.auto_lock.currentData()), Theme(self.theme.currentData()),
                               int(self.text_size.currentData()), self.server.text().strip())
