"""Themes and text size: the system palette by default, or light, dark or high contrast.

A theme file (``resources/themes/<name>.json``) gives every palette colour plus a
focus colour; a small style sheet draws a thick focus edge on every control in
every theme (WCAG 2.4.7) and colours field errors (which also carry words, so
colour is never the only signal). Text size scales the application font from the
size the system gave it, so layouts reflow instead of clipping (1.4.4). Qt does not pass
``QApplication.setFont`` on to widgets that already exist once a style sheet is set, so
the size also goes into the style sheet, which does reach them (the main window's
screens, made before the officer's settings are applied, and after a change in Settings).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from caseclient.ui.settings import Theme

_ROLES = {
    "window": QPalette.ColorRole.Window, "window_text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base, "alternate_base": QPalette.ColorRole.AlternateBase,
    "text": QPalette.ColorRole.Text, "button": QPalette.ColorRole.Button,
    "button_text": QPalette.ColorRole.ButtonText, "highlight": QPalette.ColorRole.Highlight,
    "highlighted_text": QPalette.ColorRole.HighlightedText, "link": QPalette.ColorRole.Link,
    "placeholder": QPalette.ColorRole.PlaceholderText, "tooltip_base": QPalette.ColorRole.ToolTipBase,
    "tooltip_text": QPalette.ColorRole.ToolTipText,
}
FOCUS_RULES = """
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QTableView:focus, QPushButton:focus,
QCheckBox:focus, QLabel:focus {{ border: 3px solid {edge}; }}
QLabel#fieldError, QLabel#problemSummary {{ color: {error}; font-weight: bold; }}
"""
# Named themes: the edge of every field and check box in a colour at least 3:1 against the
# window (WCAG 1.4.11; Fusion draws them in a shade of the window colour, nearly invisible in
# the dark and high-contrast themes); a ticked box or chosen option is filled, not only marked.
FIELD_RULES = """
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox {{ border: 1px solid {field}; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 0.8em; height: 0.8em; border: 2px solid {field};
    background: {base}; }}
QRadioButton::indicator {{ border-radius: 0.5em; }}
QCheckBox::indicator:checked, QRadioButton::indicator:checked {{ background: {ticked}; }}
"""
TEXT_SIZE_RULE = "\n* {{ font-size: {size}; }}\n"


@dataclass(frozen=True)
class ThemeColours:
    colours: dict[str, str]

    @classmethod
    def load(cls, theme: Theme) -> ThemeColours:
        folder = resources.files("caseclient.resources").joinpath("themes")
        text = folder.joinpath(f"{theme.value}.json").read_text("utf-8")
        raw = json.loads(text)
        return cls({k: v for k, v in raw.items() if isinstance(v, str) and v.startswith("#")})

    def palette(self) -> QPalette:
        palette = QPalette()
        for key, role in _ROLES.items():
            if key in self.colours:
                palette.setColor(role, QColor(self.colours[key]))
        disabled = QColor(self.colours.get("disabled_text", self.colours["text"]))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
        return palette


class ThemeApplier:
    """Applies a theme and text size to one QApplication, remembering what the system gave it."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._system_palette = app.palette()
        self._system_style = app.style().name()
        self._system_font = QFont(app.font())

    def apply_system(self) -> None:
        """Back to exactly what the system gave: its style, palette and font, no style sheet."""
        style = QStyleFactory.create(self._system_style)
        if style is not None:
            self._app.setStyle(style)
        self._app.setPalette(self._system_palette)
        self._app.setFont(self._system_font)
        self._app.setStyleSheet("")

    def apply(self, theme: Theme, text_size: int) -> None:
        font = QFont(self._system_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(self._system_font.pointSizeF() * text_size / 100)
            size = f"{font.pointSizeF():g}pt"
        else:
            font.setPixelSize(round(self._system_font.pixelSize() * text_size / 100))
            size = f"{font.pixelSize()}px"
        self._app.setFont(font)
        fields = ""
        if theme is Theme.SYSTEM:
            style = QStyleFactory.create(self._system_style)
            if style is not None:
                self._app.setStyle(style)
            self._app.setPalette(self._system_palette)
            edge = self._system_palette.color(QPalette.ColorRole.Highlight).name()
            error = "#b10e1e" if self._system_palette.color(QPalette.ColorRole.Base).lightness() > 128 \
                else "#ff8a80"
        else:
            colours = ThemeColours.load(theme)
            fusion = QStyleFactory.create("Fusion")
            if fusion is not None:
                self._app.setStyle(fusion)
            self._app.setPalette(colours.palette())
            edge = colours.colours["focus_edge"]
            error = colours.colours["error"]
            fields = FIELD_RULES.format(field=colours.colours["field_edge"], base=colours.colours["base"],
                                        ticked=colours.colours["highlight"])
        self._app.setStyleSheet(FOCUS_RULES.format(edge=edge, error=error) + fields
                                + TEXT_SIZE_RULE.format(size=size))
