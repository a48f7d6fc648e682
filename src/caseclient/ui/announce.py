"""Spoken status changes that do not move focus (WCAG 4.1.3).

Qt ≥ 6.8 has ``QAccessibleAnnouncementEvent``: the screen reader speaks the text
at the chosen politeness, and the focus stays where the officer is typing. One
:class:`Announcer` belongs to one main window (no global); screens are handed it.
Its ``did_announce`` signal lets tests (and a future on-screen log) hear the same
words the screen reader does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent


@dataclass(frozen=True)
class Announcement:
    text: str
    assertive: bool


class Announcer(QObject):
    did_announce = Signal(object)   # Announcement

    def polite(self, source: QObject, text: str) -> None:
        """Speak ``text`` when the screen reader is next idle (saves, sync results)."""
        self._send(source, Announcement(text, assertive=False))

    def assertive(self, source: QObject, text: str) -> None:
        """Speak ``text`` now, interrupting (validation errors, the auto-lock warning)."""
        self._send(source, Announcement(text, assertive=True))

    def _send(self, source: QObject, announcement: Announcement) -> None:
        event = QAccessibleAnnouncementEvent(source, announcement.text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if announcement.assertive
                            else QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)
        self.did_announce.emit(announcement)
