"""Steps a screen reader user takes, written once for every AT-SPI test."""

from __future__ import annotations

from tests.a11y.profile import PASSPHRASE
from tests.a11y.reader_client import Node, ReaderClient

MAIN_TITLE = "^Caseclient$"      # xdotool --name takes a regular expression


def spoken(node: Node) -> str:
    """The name Orca speaks first. A combo box's AT-SPI name is its current item on Linux;
    what it is *for* reaches the reader only through its label (accessibility.md)."""
    if node.role == "combo box":
        return ", ".join(node.relations.get("labelled by", [])) or f"(unlabelled: {node.name!r})"
    return node.name


def said(node: Node) -> tuple[str, str]:
    """(role, spoken name): what a Tab stop sounds like."""
    return node.role, spoken(node)


def unlock(reader: ReaderClient) -> Node:
    """Find the passphrase field by role and name, type into it, press Enter; focus after."""
    reader.wait_window("Caseclient")
    field = reader.find("password text", "Passphrase")
    reader.focus_window(MAIN_TITLE)
    reader.grab_focus(field)
    reader.type(PASSPHRASE)
    return reader.press("Return")


def tab_stops(reader: ReaderClient, count: int, key: str = "Tab") -> list[tuple[str, str]]:
    return [said(reader.press(key)) for _ in range(count)]


def open_first_case(reader: ReaderClient) -> Node:
    """From the caseload search field: Down into the list, Enter opens the highlighted case."""
    reader.press("Down")
    return reader.press("Return")


def tick_and_reach(reader: ReaderClient, key: str, title: str, box: str, button: str) -> Node:
    """A sign or countersign dialog by keyboard: ``key`` opens ``title`` on its summary (the
    overall risk in words), Tab reaches the ``box`` confirmation while the ``button`` is
    still unavailable, Space ticks it, Tab reaches the button. Returns that button."""
    focus = reader.press(key)
    dialog = reader.wait_window(title)
    assert said(focus) == ("text", "Summary")
    assert "Overall risk of serious harm: Low." in reader.text(focus)
    confirm = reader.press("Tab")
    assert said(confirm) == ("check box", box)
    found = reader.find("push button", button, within=dialog)
    assert "sensitive" not in found.states                   # not until the box is ticked
    reader.keys("space")
    assert "checked" in reader.describe(confirm).states
    reached = reader.press("Tab")
    assert said(reached) == ("push button", button)
    return found
