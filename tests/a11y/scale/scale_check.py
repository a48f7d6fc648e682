"""Every screen at one scale, checked by geometry: run in its own process by test_scale.py.

Qt reads ``QT_SCALE_FACTOR`` once, when the application starts, so each scale gets a
fresh process: ``python -m tests.a11y.scale.scale_check OUT_DIR TEXT_SIZE`` on the
offscreen platform configured as a 1280×800 laptop screen (test_scale.py does that).
Each window is given the screen's logical size at that scale; every screen is opened;
every visible label and button must have room for its text, and every control a
keyboard reaches must be on screen once focused (scroll areas scroll to it).
Screenshots go to OUT_DIR; the last line printed is one JSON object,
``{"screens": [...], "problems": [...]}``.

Needs attention with items in it, its dialogs and the assessment editor are checked on
a second throwaway profile, the one scripts/screenshots.py draws (a conflict, a finished
phone call and an assessment in progress); the phone call is refused here, and the
assessment's unanswered questions answered before signing, as the central system and
the officer would.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QListView,
    QToolButton,
    QWidget,
)
from scripts import screenshots

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.domain.assessment import next_unanswered
from caseclient.storage import outbox, reconcile
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.assessments.dialogs import CountersignDialog, ReturnDialog
from caseclient.ui.attention.screen import AttentionScreen
from caseclient.ui.errors import CrashDialog
from caseclient.ui.main import make_window
from caseclient.ui.main_window import MainWindow
from caseclient.ui.settings import DisplaySettings
from tests.a11y.profile import PASSPHRASE, make_profile
from tests.ui.assessments.answers import sample_answer

REFUSAL = ("The case this contact was recorded on is no longer allocated to you, so the central "
           "system did not take it. Record it again on the case it belongs to, or export it and "
           "pass it to the case's officer.")


def focusable(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.isVisibleTo(root) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None]


def _label(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    return f"{type(widget).__name__}({widget.accessibleName() or text[:40]!r})"


def _icon_only(widget: QWidget) -> bool:
    """A tool button that shows only its icon (its text is its name, never drawn, never clipped)."""
    return isinstance(widget, QToolButton) and \
        widget.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly and not widget.icon().isNull()


def clipped(root: QWidget) -> list[str]:
    """Labels and buttons smaller than their text needs (a wrapped label: at its width)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not isinstance(widget, QLabel | QAbstractButton):
            continue
        if not widget.text().strip() or _icon_only(widget):
            continue
        size = widget.size()
        if isinstance(widget, QLabel) and widget.wordWrap():
            need = QSize(0, widget.heightForWidth(size.width()))
        else:
            need = widget.sizeHint()
        if need.width() > size.width() + 1 or need.height() > size.height() + 1:
            found.append(f"{_label(widget)} is {size.width()}×{size.height()} but its text needs "
                         f"{max(need.width(), size.width())}×{need.height()}")
    return found


def sideways(root: QWidget) -> list[str]:
    """Lists that must be scrolled sideways to read their items (WCAG 1.4.10: text reflows;
    tables, whose columns are two-dimensional by nature, may scroll)."""
    return [f"{_label(view)} scrolls sideways to show its items" for view in root.findChildren(QListView)
            if view.isVisibleTo(root) and view.horizontalScrollBar().isVisible()]


def unreachable(window: QWidget, app: QApplication) -> list[str]:
    """Controls that, once focused, are still not (even partly) inside the window."""
    found = []
    frame = QRect(QPoint(0, 0), window.size())
    for widget in focusable(window):
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        app.processEvents()
        if not widget.isVisible():
            continue
        top_left = widget.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        seen = widget.visibleRegion().boundingRect()
        if not frame.contains(top_left) or seen.isEmpty() or not frame.intersects(rect):
            found.append(f"{_label(widget)} at {rect.x()},{rect.y()} {rect.width()}×{rect.height()} "
                         f"is outside the {frame.width()}×{frame.height()} window when focused")
    return found


class Checker:
    def __init__(self, app: QApplication, out: Path, target: QSize) -> None:
        self.app = app
        self.out = out
        self.target = target
        self.screens: list[str] = []
        self.problems: list[str] = []

    def check(self, name: str, window: QWidget) -> None:
        if not isinstance(window, QDialog):
            window.resize(self.target)
        window.show()
        window.activateWindow()          # the officer's keys go to the window on top
        self.app.processEvents()
        self.screens.append(name)
        problems = []
        size = window.size()
        if size.width() > self.target.width() or size.height() > self.target.height():
            problems.append(f"the window needs {size.width()}×{size.height()}, more than the "
                            f"screen's {self.target.width()}×{self.target.height()}")
        problems += clipped(window)
        problems += sideways(window)
        problems += unreachable(window, self.app)
        window.grab().save(str(self.out / f"{len(self.screens):02d}-{name}.png"))
        self.problems += [f"{name}: {p}" for p in problems]


def services_for(home: Path) -> AppServices:
    paths = AppPaths.resolve(home)
    return build(paths, secrets=MemorySecretStore(),
                 vault=KeyVault(paths.key_file, params=KdfParams.for_tests()))


def workspace_pages(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    """Every screen of the workspace (new ones included as they are added)."""
    for index in range(window.workspace.count()):
        page = window.workspace.widget(index)
        yield (page.accessibleName() or type(page).__name__).lower().replace(" ", "-"), page


def close(window: MainWindow) -> None:
    window.close()
    if window.theme_applier is not None:   # the next window's applier must start from the system font
        window.theme_applier.apply_system()


def refuse_phone_call(services: AppServices) -> None:
    """The finished phone call waiting to be sent, refused as the sync engine stores a refusal."""
    store = services.session.store
    with store.db.transaction() as conn:
        call = next(m for m in outbox.waiting(conn) if m.record_type == "contact" and m.op == "create")
        reconcile.reject(conn, call, {"result": "rejected", "reason": REFUSAL}, screenshots.clock())


def open_item(screen: AttentionScreen, *, conflict: bool) -> QDialog:
    """Open the listed conflict (or refusal) as Enter on its row does."""
    for row in range(screen.model.rowCount()):
        screen.table.setCurrentIndex(screen.model.index(row, 0))
        item = screen.current_item()
        if item is not None and item.is_conflict == conflict:
            dialog = screen.open_current()
            assert dialog is not None
            return dialog
    raise AssertionError("the made-up profile has no such item")


def answer_the_rest(services: AppServices, assessment_id: str) -> None:
    """Every shown question left unanswered answered, and every copied answer confirmed."""
    view = services.assessments.get(assessment_id)
    answers = dict(view.overview.answers)
    while (ref := next_unanswered(view.template, answers)) is not None:
        answers[ref.question_id] = sample_answer(view.template, ref.question_id)
    saved = services.assessments.save_answers(
        assessment_id, {q: a for q, a in answers.items() if q not in view.overview.answers})
    assert saved.refusal is None and not saved.errors, "the sample answers did not fit"
    for question_id in services.assessments.get(assessment_id).overview.review_marks:
        services.assessments.confirm(assessment_id, question_id)


def check_settling_and_assessing(checker: Checker, out: Path,
                                 at_size: Callable[[MainWindow], MainWindow]) -> None:
    """Needs attention with a conflict and a refusal, its chooser, refusal and export dialogs;
    the assessment editor (first section, a page of long answers, then every section shown)
    and signing: the missing
    answers listed when it is too early, then the summary signed for."""
    paths = AppPaths.resolve(out / "work-home")
    scene = screenshots.make_profile(paths)
    services = screenshots.services_for(paths)
    window = at_size(make_window(services, checker.app))
    services.session.unlock(screenshots.PASSPHRASE)
    refuse_phone_call(services)
    window.show_attention()
    screen = window.attention_screen
    assert screen.model.rowCount() == 2, "a conflict and a refusal"
    checker.check("needs-attention-items", window)
    chooser = open_item(screen, conflict=True)
    checker.check("conflict-chooser", chooser)
    chooser.reject()
    rejection = open_item(screen, conflict=False)
    checker.check("rejection", rejection)
    rejection.reject()
    export = screen.export_current()
    assert export is not None
    checker.check("export", export)
    export.reject()
    editor = window.open_assessment(scene.assessment_id)
    assert editor is not None
    checker.check("assessment-first-section", editor)
    editor.focus_question(scene.question_id)          # a later section, long answers showing
    checker.check("assessment-long-answers", editor)
    for row, section in enumerate(editor.template.sections):     # every section the officer sees
        if not editor.section_list.isRowHidden(row):
            editor.section_list.setCurrentIndex(editor.section_model.index(row, 0))
            checker.check(f"assessment-section-{section.id}", editor)
    missing = editor.request_sign()                   # too early: each missing answer listed
    assert missing is not None and missing.confirm_box is None
    checker.check("assessment-sign-missing", missing)
    missing.reject()
    answer_the_rest(services, scene.assessment_id)
    editor.refresh_state()
    signing = editor.request_sign()
    assert signing is not None and signing.confirm_box is not None, "still something to answer"
    checker.check("assessment-sign-summary", signing)
    signing.reject()
    # The senior officer's dialogs, over the same (unsigned) assessment: their layout only.
    countersign = CountersignDialog(services.assessments.get(scene.assessment_id), editor)
    checker.check("assessment-countersign", countersign)
    countersign.reject()
    returning = ReturnDialog(
        lambda comments: services.assessments.return_for_changes(scene.assessment_id, comments),
        window.announcer, editor)
    checker.check("assessment-return", returning)
    returning.reject()
    editor.close()
    services.session.lock()
    close(window)


def run(out: Path, text_size: int) -> Checker:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    checker = Checker(app, out, app.primaryScreen().availableGeometry().size())

    def at_size(window: MainWindow) -> MainWindow:
        window.apply_settings(DisplaySettings(**{**vars(window.display), "text_size": text_size}))
        return window

    fresh = services_for(out / "fresh-home")
    first = at_size(make_window(fresh, app))
    checker.check("first-run-setup", first)
    close(first)

    home = out / "home"
    make_profile(home)
    services = services_for(home)
    window = at_size(make_window(services, app))
    checker.check("unlock", window)
    window.show_recover()
    checker.check("recover", window)
    window.show_unlock()
    services.session.unlock(PASSPHRASE)
    case_id = services.caseload.cases()[0].case_id
    opened: dict[str, Callable[[], None]] = {"case": lambda: window.open_case(case_id),
                                             "today-and-diary": window.show_diary}
    for name, page in workspace_pages(window):
        opened.get(name, lambda p=page: window.workspace.setCurrentWidget(p))()
        checker.check(name, window)
    window.open_case(case_id)
    editor = window.new_contact(case_id)
    assert editor is not None
    checker.check("contact-editor", editor)
    editor.finish()                                   # with every error showing
    checker.check("contact-editor-errors", editor)
    editor.close()
    settings = window.show_settings()
    checker.check("settings", settings)
    settings.reject()
    sign_in = window.show_sign_in()
    assert sign_in is not None
    checker.check("sign-in", sign_in)
    sign_in.reject()
    shortcuts = window.show_shortcuts()
    checker.check("keyboard-shortcuts", shortcuts)
    shortcuts.reject()
    warning = window.autolock.warning
    warning.message.setText("Caseclient will lock in 60 seconds. Press Enter to keep working.")
    checker.check("auto-lock-warning", warning)
    warning.accept()
    crash = CrashDialog("builtins.ValueError", window)
    checker.check("crash", crash)
    crash.reject()
    close(window)
    check_settling_and_assessing(checker, out, at_size)
    return checker


def main() -> None:
    checker = run(Path(sys.argv[1]), int(sys.argv[2]))
    print(json.dumps({"screens": checker.screens, "problems": checker.problems}))


if __name__ == "__main__":
    main()
