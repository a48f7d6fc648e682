"""The process the GUI crash test kills: the real app typing into a real editor.

Run as ``python -m tests.reliability.gui_crash_child <home> contact <contact id>`` or
``… <home> assessment <assessment id> <question id>``, then ``<interval ms>``, with
the profile's passphrase as the first line on stdin (never argv or the environment,
where other processes could read it). It builds the app's services the way the app
does (``caseclient.app.build``, the test KDF the profile was made with), unlocks,
opens the contact editor on the notes or the assessment editor on a long-text
answer, and types :func:`stream` through Qt key events, one key every
``interval`` milliseconds, resuming after what the store already holds.

After each key event it prints ``typed <length> <monotonic seconds>`` (flushed):
the text in the editor now is ``stream(length)``. Around each autosave commit it
prints ``saving <length> <seconds>`` and, once the commit has returned,
``saved <length> <seconds>``: the parent tells a save the disk was still writing
at the kill from one the app never started. ``time.monotonic`` is the system-wide
monotonic clock, so the parent compares it with the moment it sent ``kill -9``.
Lines carry lengths and times only, never the text.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.domain.records import Grade, Officer
from caseclient.services.assessments import AssessmentService
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.announce import Announcer
from caseclient.ui.assessments.editor import AssessmentEditor
from caseclient.ui.contacts.editor import ContactEditor

OFFICER = Officer("PO1", "Pat Officer", Grade.PO, "Team A")
# Typed as keys: letters, digits, punctuation, Return, and non-ASCII sent with its text.
_KEYS = {"é": Qt.Key.Key_Eacute, "£": Qt.Key.Key_sterling, "ö": Qt.Key.Key_Odiaeresis}


def stream(length: int) -> str:
    """The first ``length`` characters of the endless text the child types (deterministic)."""
    parts: list[str] = []
    size = n = 0
    while size < length:
        part = (f"Sentence {n}: seen at the office; talked about work, the café and the £{n % 40} fare. "
                f"Mood: cöoperative.{chr(10) if n % 3 == 2 else ' '}")
        parts.append(part)
        size += len(part)
        n += 1
    return "".join(parts)[:length]


def say(*parts: str) -> None:
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def type_key(widget: QWidget, char: str) -> None:
    """One key press and release, as the keyboard would send it."""
    if char == "\n":
        QTest.keyClick(widget, Qt.Key.Key_Return)
    elif char in _KEYS:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, _KEYS[char], char, Qt.KeyboardModifier.NoModifier)
    else:
        QTest.keyClicks(widget, char)


def report_saves(service: object, method: str, editor: QPlainTextEdit) -> None:
    """Print ``saving``/``saved`` around each call of ``service.method`` (the editor's commit)."""
    save: Callable[..., Any] = getattr(service, method)

    def reported(*args: Any, **kwargs: Any) -> Any:
        length = str(len(editor.toPlainText()))
        say("saving", length, f"{time.monotonic():.6f}")
        done = save(*args, **kwargs)
        say("saved", length, f"{time.monotonic():.6f}")
        return done

    setattr(service, method, reported)    # on this instance only: the editor calls it through it


def wait_until(deadline: float) -> None:
    """Run the event loop (autosave timers fire here) until ``deadline`` on the monotonic clock."""
    while (left := deadline - time.monotonic()) > 0:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, max(1, int(left * 1000)))
        if deadline - time.monotonic() > 0.002:
            time.sleep(0.001)


def open_editor(services: AppServices, kind: str, record_id: str,
                question_id: str | None) -> tuple[QWidget, QPlainTextEdit]:
    announcer = Announcer()
    if kind == "contact":
        contact = ContactEditor(services.contacts, services.session, services.caseload.reference(),
                                services.contacts.get(record_id), case_title="Crash test",
                                announcer=announcer)
        report_saves(services.contacts, "save_draft", contact.form.notes)
        return contact, contact.form.notes
    assessments = AssessmentService.for_session(services.session, services.clock,
                                                officer=lambda: OFFICER)
    assessment = AssessmentEditor(assessments, services.session, assessments.get(record_id),
                                  case_title="Crash test", announcer=announcer)
    assert question_id is not None
    assessment.focus_question(question_id)
    control = assessment.controls[question_id].input
    assert isinstance(control, QPlainTextEdit)
    report_saves(assessments, "save_answers", control)
    return assessment, control


def main(argv: list[str]) -> int:
    home, kind, record_id = Path(argv[1]), argv[2], argv[3]
    question_id = argv[4] if kind == "assessment" else None
    interval = int(argv[-1]) / 1000
    passphrase = sys.stdin.readline().rstrip("\n")
    app = QApplication([argv[0]])
    paths = AppPaths.resolve(home)
    services = build(paths, secrets=MemorySecretStore(),
                     vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))
    services.session.unlock(passphrase)
    window, notes = open_editor(services, kind, record_id, question_id)
    window.resize(900, 700)
    window.show()
    window.activateWindow()
    notes.setFocus(Qt.FocusReason.OtherFocusReason)
    QTest.keyClick(notes, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    app.processEvents()
    typed = notes.toPlainText()
    if typed != stream(len(typed)) or not notes.hasFocus():
        say("bad-start")            # the store holds something the child never typed
        return 3
    length = len(typed)
    text = stream(length + 100_000)
    say("ready", str(length))
    next_key = time.monotonic()
    while True:
        type_key(notes, text[length])
        length += 1
        say("typed", str(length), f"{time.monotonic():.6f}")
        next_key += interval
        wait_until(next_key)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
