"""Start the desktop app on services built by the composition root.

``caseclient.app.build(paths)`` makes the services; :func:`run` makes the Qt
application, the main window and the error presenter, runs the event loop, and
locks the session (flushing every editor) on the way out.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QApplication

from caseclient.ui.errors import ErrorPresenter
from caseclient.ui.main_window import MainWindow
from caseclient.ui.services import AppServicesLike
from caseclient.ui.theme import ThemeApplier


def make_window(services: AppServicesLike, app: QApplication) -> MainWindow:
    """The main window with the officer's theme applied (screenshots use this; :func:`run` adds the loop)."""
    applier = ThemeApplier(app)
    window = MainWindow(services, theme_applier=applier)
    applier.apply(window.display.theme, window.display.text_size)
    return window


def settle_heap() -> None:
    """Once the app has started: collect, then move every object alive now (the modules,
    PySide6, httpx, the window) into the collector's permanent generation (``gc.freeze``).

    A full collection walks every tracked object holding the interpreter lock, on whichever
    thread's allocation set it off: 33-35 ms with the app loaded, and a first sync allocates
    enough to set one off every few seconds. It was the UI thread's longest wait during a
    sync (docs/performance.md). Frozen objects are not walked again; what the app makes later
    is collected as before. Cost: a cycle among the objects frozen here is never freed (the
    collection first frees those that are garbage already)."""
    gc.collect()
    gc.freeze()


def run(services: AppServicesLike, argv: Sequence[str],
        wire: Callable[[MainWindow], None] | None = None) -> int:
    """Run the app until its window closes; ``wire`` connects the window to the sync service."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("Caseclient")
    app.setApplicationDisplayName("Caseclient")
    app.setOrganizationName("Caseclient")
    window = make_window(services, app)
    if wire is not None:
        wire(window)
    presenter = ErrorPresenter(lambda: QApplication.activeWindow() or window)
    presenter.install()
    try:
        window.show()
        settle_heap()
        return app.exec()
    finally:
        presenter.uninstall()
        services.session.lock()
