"""The officer's preferences for this laptop: auto-lock time, theme, text size, server.

Kept in an INI file in the profile's config folder through ``QSettings`` (no case
data, so not encrypted). Bad or missing values fall back to the defaults. The
server address here is the one to offer at the next sign-in; the profile keeps
the address it actually signed in to (a new one takes effect by signing in there).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QSettings


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"
    HIGH_CONTRAST = "high_contrast"

    @property
    def words(self) -> str:
        return {"system": "Follow the system", "light": "Light", "dark": "Dark",
                "high_contrast": "High contrast"}[self.value]


AUTO_LOCK_CHOICES = (2, 5, 10, 15, 30, 60)      # minutes
TEXT_SIZES = (100, 125, 150, 175, 200)           # per cent


@dataclass(frozen=True)
class DisplaySettings:
    auto_lock_minutes: int = 10
    theme: Theme = Theme.SYSTEM
    text_size: int = 100
    server_url: str = ""

    def with_changes(self, **changes: object) -> DisplaySettings:
        return replace(self, **changes)  # type: ignore[arg-type]


class SettingsFile:
    def __init__(self, path: Path) -> None:
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    def load(self) -> DisplaySettings:
        default = DisplaySettings()
        minutes = _int(self._settings.value("auto_lock_minutes"), default.auto_lock_minutes)
        size = _int(self._settings.value("text_size"), default.text_size)
        raw_theme = self._settings.value("theme")
        theme = Theme(raw_theme) if raw_theme in {t.value for t in Theme} else default.theme
        server = self._settings.value("server_url")
        return DisplaySettings(minutes if minutes in AUTO_LOCK_CHOICES else default.auto_lock_minutes,
                               theme, size if size in TEXT_SIZES else default.text_size,
                               server.strip() if isinstance(server, str) else default.server_url)

    def save(self, settings: DisplaySettings) -> None:
        self._settings.setValue("auto_lock_minutes", settings.auto_lock_minutes)
        self._settings.setValue("theme", settings.theme.value)
        self._settings.setValue("text_size", settings.text_size)
        self._settings.setValue("server_url", settings.server_url)
        self._settings.sync()


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default
