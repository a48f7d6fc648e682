"""scripts/screenshots draws the real screens: run it quick into a temporary folder and look
at what it wrote — every expected file, a real PNG of the expected size, not blank."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "screenshots"
STATUS_BAR = ("sync-status-offline", "sync-status-signed-out")
DIALOGS = ("needs-attention-chooser", "settings")


def _module() -> ModuleType:
    """The script's Python half, for its list of files (loading it opens no window)."""
    spec = importlib.util.spec_from_file_location("screenshots_script", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module             # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _distinct_colours(image: QImage, step: int = 7) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step)
                for y in range(0, image.height(), step)})


def test_quick_run_writes_every_screen_as_a_real_picture(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QT_")}
    done = subprocess.run([str(SCRIPT), "--quick", "--out", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    shots = _module()
    expected = shots.expected_files(quick=True)
    assert sorted(done.stdout.split()) == sorted(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    for name in expected:
        path = tmp_path / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        image = QImage(str(path))
        assert not image.isNull(), name
        size = (image.width(), image.height())
        if name.startswith(STATUS_BAR):                        # the status bar alone: a strip
            assert image.width() == shots.WIDTH and 20 <= image.height() <= 120, (name, size)
        elif name.startswith(DIALOGS):                        # a dialog at its own size, on screen
            assert 200 <= image.width() <= shots.WIDTH and 100 <= image.height() <= shots.HEIGHT, (name, size)
        else:                                                 # a window filling the laptop's screen
            assert size == (shots.WIDTH, shots.HEIGHT), (name, size)
        assert _distinct_colours(image) >= 4, f"{name} looks blank"
