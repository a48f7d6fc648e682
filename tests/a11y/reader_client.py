"""The test's side of the reader process: send a command, get its answer (JSON lines).

The reader (tests/a11y/reader/atspi_reader.py) runs under the system Python with
pyatspi; this client only writes requests and reads answers, with a deadline so a
stalled app fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import select
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.a11y.desktop import SYSTEM_PYTHON
from tests.helpers.processes import stop

READER = Path(__file__).parent / "reader" / "atspi_reader.py"
ANSWER_TIMEOUT = 60.0


class ReaderFailed(AssertionError):
    """The reader could not do what it was asked (not found, timed out, no such action)."""


@dataclass(frozen=True)
class Node:
    """One accessible object as the reader saw it."""

    obj: int
    role: str
    name: str
    description: str
    states: list[str]
    relations: dict[str, list[str]] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    children: int = 0

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Node:
        return cls(**data)

    @property
    def focused(self) -> bool:
        return "focused" in self.states

    def __str__(self) -> str:
        return f"{self.role} {self.name!r}"


@dataclass(frozen=True)
class Mark:
    """Counts of focus events and announcements so far, to wait for what comes after."""

    focus: int
    announcement: int


class ReaderClient:
    def __init__(self, env: Mapping[str, str], app_pid: int) -> None:
        self.app_pid = app_pid
        self._process = subprocess.Popen([SYSTEM_PYTHON, "-u", str(READER)], env=dict(env),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
        self.call("ping")

    def call(self, cmd: str, **args: Any) -> Any:
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        process.stdin.flush()
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                break
            if time.monotonic() >= deadline:
                raise ReaderFailed(f"the reader gave no answer to {cmd!r} within {ANSWER_TIMEOUT:.0f} s")
        line = process.stdout.readline()
        if not line:
            raise ReaderFailed(f"the reader stopped during {cmd!r}: {self.stderr()}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise ReaderFailed(f"{cmd}: {answer['error']}")
        return answer["result"]

    def stderr(self) -> str:
        if self._process.poll() is None or self._process.stderr is None:
            return ""
        return self._process.stderr.read()[-2000:]

    def close(self) -> None:
        stop(self._process)

    # ---- what a screen reader does --------------------------------------------------------
    def wait_window(self, name: str | None = None) -> Node:
        return Node.of(self.call("wait_window", pid=self.app_pid, name=name))

    def find(self, role: str | None = None, name: str | None = None, *, within: Node | None = None,
             contains: bool = False, showing: bool = True) -> Node:
        return Node.of(self.call("find", pid=self.app_pid, root=within.obj if within else None,
                                 role=role, name=name, contains=contains, showing=showing))

    def describe(self, node: Node) -> Node:
        return Node.of(self.call("describe", obj=node.obj))

    def children(self, node: Node) -> list[Node]:
        return [Node.of(c) for c in self.call("children", obj=node.obj)]

    def mark(self) -> Mark:
        return Mark(**self.call("focus_mark"))

    def focused_after(self, mark: Mark) -> Node:
        """Where focus settled after ``mark`` (at least one focus event must have come)."""
        return Node.of(self.call("focused", since=mark.focus))

    def press(self, *keys: str) -> Node:
        """Press keys (xdotool names: Tab, shift+Tab, alt+n, Return) and say where focus went."""
        before = self.mark()
        self.call("keys", keys=list(keys))
        return self.focused_after(before)

    def keys(self, *keys: str) -> None:
        self.call("keys", keys=list(keys))

    def type(self, text: str) -> None:
        self.call("type", text=text)

    def focus_window(self, title: str) -> None:
        self.call("focus_window", title=title)

    def grab_focus(self, node: Node) -> Node:
        return Node.of(self.call("grab_focus", obj=node.obj))

    def current_focus(self) -> Node:
        return Node.of(self.call("current_focus"))

    def insert_text(self, node: Node, text: str) -> None:
        if not self.call("insert_text", obj=node.obj, text=text):
            raise ReaderFailed(f"{node} refused the text through EditableText")

    def text(self, node: Node) -> str:
        return str(self.call("text", obj=node.obj))

    def text_once_typed(self, node: Node, typed: str, timeout: float = 10.0) -> str:
        """``node``'s text once it ends with ``typed``, or as it stands after ``timeout``: xdotool
        returns once the keys are sent, and a busy app may not have taken the last of them yet."""
        deadline = time.monotonic() + timeout
        text = self.text(node)
        while not text.endswith(typed) and time.monotonic() < deadline:
            time.sleep(0.05)
            text = self.text(node)
        return text

    def actions(self, node: Node) -> list[str]:
        return list(self.call("actions", obj=node.obj))

    def do_action(self, node: Node, name: str) -> None:
        self.call("do_action", obj=node.obj, name=name)

    def announcements(self, since: Mark | None = None) -> list[str]:
        start = since.announcement if since else 0
        return [a["text"] for a in self.call("announcements", since=start)]

    def wait_announcement(self, contains: str, since: Mark) -> str:
        return str(self.call("wait_announcement", contains=contains, since=since.announcement)["text"])

    def tree(self) -> str:
        return str(self.call("tree", pid=self.app_pid))
