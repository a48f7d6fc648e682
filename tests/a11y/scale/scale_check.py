"""Every screen at one scale, checked by geometry: run in its own process by test_scale.py.

Qt reads ``QT_SCALE_FACTOR`` once, when the application starts, so each scale gets a
fresh process: ``python -m tests.a11y.scale.scale_check OUT_DIR TEXT_SIZE`` on the
offscreen platform configured as a 1280×800 laptop screen (test_scale.py does that).
Each window is given the screen's logical size at that scale; every screen is opened;
every visible label and button must have room for its text, and every control a
keyboard reaches must be on screen once focused (scroll areas scroll to it).
Screenshots go to OUT_DIR; the last line printed is one JSON object,
``{"screens": [...], "problems": [...]}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QToolButton, QWidget

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.errors import CrashDialog
from caseclient.ui.main import make_window
from caseclient.ui.main_window import MainWindow
from caseclient.ui.settings import DisplaySettings
from tests.a11y.profile import PASSPHRASE, make_profile


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
        self.app.processEvents()
        self.screens.append(name)
        problems = []
        size = window.size()
        if size.width() > self.target.width() or size.height() > self.target.height():
            problems.append(f"the window needs {size.width()}×{size.height()}, more than the "
                            f"screen's {self.target.width()}×{self.target.height()}")
        problems += clipped(window)
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
    first.close()
    if first.theme_applier is not None:   # the next window's applier must start from the system font
        first.theme_applier.apply_system()

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
    window.close()
    return checker


def main() -> None:
    checker = run(Path(sys.argv[1]), int(sys.argv[2]))
    print(json.dumps({"screens": checker.screens, "problems": checker.problems}))


if __name__ == "__main__":
    main()
