"""Child process of the scale benchmark: use a big profile as an officer would, report peak memory.

Reads one JSON object on stdin (``home``, ``passphrase``, ``terms``), so the
passphrase is never on a command line; unlocks the profile in the main window
(offscreen), which shows the caseload, searches for each term through the
caseload screen, opens the first case found, and prints one JSON line:
``{"peak_kib": VmHWM, "maxrss_kib": ru_maxrss}``. No case data is printed.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from benchmarks.caseloads import profile
from benchmarks.qtapp import application
from caseclient.storage.kdf import KdfParams
from caseclient.ui.main_window import MainWindow


def vm_hwm_kib() -> int:
    """The resident set's high-water mark (Linux); ru_maxrss elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    request = json.loads(sys.stdin.read())
    application()
    services = profile(Path(request["home"]), KdfParams.for_tests())   # unlock reads the file's own
    window = MainWindow(services)
    window.resize(1200, 800)
    window.show()
    QCoreApplication.processEvents()
    services.session.unlock(request["passphrase"])
    window.repaint()
    screen = window.caseload_screen
    for term in request["terms"]:
        screen.search.setText(term)
        screen.refresh()
        window.repaint()
    ids = screen.shown_case_ids()
    if not ids:
        screen.search.clear()
        screen.refresh()
        ids = screen.shown_case_ids()
    window.open_case(ids[0])
    window.repaint()
    QCoreApplication.processEvents()
    peak = vm_hwm_kib()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    window.close()
    print(json.dumps({"peak_kib": peak, "maxrss_kib": maxrss}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
