"""The layer rules of architecture.md, checked by reading every module's imports.

- domain/ imports nothing of the project but itself, and no Qt, sqlcipher3 or httpx;
- only storage/ imports sqlcipher3; only sync/ imports httpx;
- only ui/ imports PySide6.QtWidgets / QtGui; services/ may use QtCore;
- ui/ never imports storage/ or sync/; storage/ and sync/ never import ui/ or services/.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "caseclient"


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        layer = relative.parts[0] if len(relative.parts) > 1 else "(root)"
        yield layer, path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _violations(layer: str, imported: set[str]) -> list[str]:
    problems: list[str] = []

    def uses(prefix: str) -> bool:
        return any(name == prefix or name.startswith(prefix + ".") for name in imported)

    if layer == "domain":
        foreign = [n for n in imported if n.startswith("caseclient.")
                   and not n.startswith("caseclient.domain")]
        problems += [f"domain imports {n}" for n in sorted(foreign)]
        for banned in ("PySide6", "sqlcipher3", "httpx"):
            if uses(banned):
                problems.append(f"domain imports {banned}")
    if layer != "storage" and uses("sqlcipher3"):
        problems.append("sqlcipher3 outside storage/")
    if layer != "sync" and uses("httpx"):
        problems.append("httpx outside sync/")
    if layer != "ui" and (uses("PySide6.QtWidgets") or uses("PySide6.QtGui")):
        problems.append("QtWidgets/QtGui outside ui/")
    if layer == "ui" and (uses("caseclient.storage") or uses("caseclient.sync")):
        problems.append("ui imports storage/ or sync/")
    if layer in ("storage", "sync") and (uses("caseclient.ui") or uses("caseclient.services")):
        problems.append(f"{layer} imports ui/ or services/")
    if layer in ("storage", "sync", "domain") and uses("PySide6"):
        problems.append(f"{layer} imports Qt")
    return problems


@pytest.mark.parametrize(("layer", "path"), list(_modules()), ids=str)
def test_module_keeps_its_layer_rules(layer: str, path: Path) -> None:
    imported = _imports(path)
    assert _violations(layer, imported) == []


def test_rules_catch_a_broken_import() -> None:
    """The checker itself: each rule fires on a made-up offender."""
    assert _violations("domain", {"caseclient.storage.records"})
    assert _violations("domain", {"PySide6.QtCore"})
    assert _violations("services", {"sqlcipher3"})
    assert _violations("storage", {"httpx"})
    assert _violations("services", {"PySide6.QtWidgets"})
    assert _violations("ui", {"caseclient.storage.store"})
    assert _violations("sync", {"caseclient.services.session"})
    assert not _violations("services", {"PySide6.QtCore", "caseclient.storage.store"})
