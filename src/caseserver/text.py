"""Text from a request made safe to store or look up: PostgreSQL refuses NUL and no
database takes a lone surrogate, so both become U+FFFD instead of a server error."""

from __future__ import annotations


def storable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def is_storable(text: str) -> bool:
    return storable(text) == text
