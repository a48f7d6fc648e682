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
