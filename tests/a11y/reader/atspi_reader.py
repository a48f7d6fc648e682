"""A screen reader's eyes and hands, in a process of its own, speaking JSON lines.

Runs under Debian's /usr/bin/python3 (where python3-pyatspi lives; the project's
venv cannot import it) on the AT-SPI bus the tests started. It sees the app only
as Orca does: through the accessibility tree, focus events and announcements.

Protocol: one JSON object a line on standard input, ``{"cmd": name, ...args}``;
one answer a line on standard output, ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": "..."}``. Objects found are handed out as integer ids
(``obj``) that later commands refer to. Keyboard input goes through xdotool on
the virtual screen, as a person's keyboard would.

It never prints what it reads anywhere but its answers (the data is synthetic,
but the habit is the rule).
"""

import json
import queue
import subprocess
import sys
import threading
import time

import pyatspi
from gi.repository import GLib

XDOTOOL = "/usr/bin/xdotool"
SETTLE_S = 0.15          # focus has "settled" when no focus event came for this long
POLL_S = 0.01


class ReaderError(Exception):
    pass


class Reader:
    def __init__(self):
        self.objects = {}
        self.next_id = 1
        self.focus_events = []          # (sequence, accessible)
        self.focus_seq = 0
        self.last_focus_time = 0.0
        self.announcements = []         # {"seq", "text", "politeness"}
        self.context = GLib.MainContext.default()
        pyatspi.Registry.registerEventListener(self._on_focus, "object:state-changed:focused")
        pyatspi.Registry.registerEventListener(self._on_announcement, "object:announcement")

    # ---- events ---------------------------------------------------------------------------
    def _on_focus(self, event):
        if event.detail1 == 1:
            self.focus_seq += 1
            self.focus_events.append((self.focus_seq, event.source))
            self.last_focus_time = time.monotonic()

    def _on_announcement(self, event):
        text = event.any_data if isinstance(event.any_data, str) else str(event.any_data)
        self.announcements.append({"seq": len(self.announcements) + 1, "text": text,
                                   "politeness": int(event.detail1)})

    def pump(self, seconds=0.0):
        deadline = time.monotonic() + seconds
        while True:
            while self.context.pending():
                self.context.iteration(False)
            if time.monotonic() >= deadline:
                return
            time.sleep(POLL_S)

    def wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            found = condition()
            if found:
                return found
            if time.monotonic() >= deadline:
                raise ReaderError(f"waited {timeout:.0f} s for {what}")
            time.sleep(POLL_S)

    # ---- objects --------------------------------------------------------------------------
    def handle(self, accessible):
        for key, value in self.objects.items():
            if value == accessible:
                return key
        key = self.next_id
        self.next_id += 1
        self.objects[key] = accessible
        return key

    def get(self, key):
        try:
            return self.objects[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ReaderError(f"no object {key!r}") from None

    def describe(self, accessible):
        state = accessible.getState()
        states = sorted(pyatspi.stateToString(s) for s in state.getStates())
        relations = {}
        try:
            for relation in accessible.getRelationSet():      # a type may come more than once
                targets = relations.setdefault(pyatspi.relationToString(relation.getRelationType()), [])
                targets.extend(relation.getTarget(i).name for i in range(relation.getNTargets()))
        except Exception:
            relations = {}
        try:
            interfaces = sorted(pyatspi.listInterfaces(accessible))
        except Exception:
            interfaces = []
        return {"obj": self.handle(accessible), "role": accessible.getRoleName(),
                "name": accessible.name or "", "description": accessible.description or "",
                "states": states, "relations": relations, "interfaces": interfaces,
                "children": accessible.childCount}

    def app(self, pid):
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            candidate = desktop.getChildAtIndex(index)
            try:
                if candidate is not None and candidate.get_process_id() == pid:
                    return candidate
            except Exception:
                continue
        return None

    def windows(self, pid):
        app = self.app(pid)
        if app is None:
            return []
        found = []
        for index in range(app.childCount):
            window = app.getChildAtIndex(index)
            if window is not None and window.getState().contains(pyatspi.STATE_SHOWING):
                found.append(window)
        return found

    def search(self, root, role, name, showing, contains, limit=20000):
        """Breadth first, so the nearest match wins; hidden subtrees are skipped when ``showing``."""
        todo = [root]
        seen = 0
        while todo and seen < limit:
            node = todo.pop(0)
            seen += 1
            if node is None:
                continue
            if showing and node is not root and not node.getState().contains(pyatspi.STATE_SHOWING):
                continue
            role_ok = role is None or node.getRoleName() == role
            node_name = node.name or ""
            name_ok = name is None or (name in node_name if contains else node_name == name)
            if role_ok and name_ok and node is not root:
                return node
            todo.extend(node.getChildAtIndex(i) for i in range(node.childCount))
        return None

    def tree_lines(self, node, depth=0, lines=None, limit=400):
        lines = [] if lines is None else lines
        if node is None or len(lines) >= limit:
            return lines
        state = node.getState()
        if depth and not state.contains(pyatspi.STATE_SHOWING):
            return lines
        marks = "".join(mark for mark, st in (("*", pyatspi.STATE_FOCUSED), ("!", pyatspi.STATE_SENSITIVE))
                        if (st == pyatspi.STATE_FOCUSED and state.contains(st))
                        or (st == pyatspi.STATE_SENSITIVE and not state.contains(st)))
        description = f" — {node.description}" if node.description else ""
        lines.append(f"{'  ' * depth}{node.getRoleName()} {node.name or ''!r}{marks}{description}")
        if node.getRoleName() in ("table", "tree table") and node.childCount > 40:
            lines.append(f"{'  ' * (depth + 1)}… {node.childCount} cells")
            return lines
        for index in range(node.childCount):
            self.tree_lines(node.getChildAtIndex(index), depth + 1, lines, limit)
        return lines

    def focused(self):
        """The object of the latest focus event, if it still says it is focused."""
        for _seq, accessible in reversed(self.focus_events):
            try:
                if accessible.getState().contains(pyatspi.STATE_FOCUSED):
                    return accessible
            except Exception:
                continue
            return None
        return None

    # ---- commands -------------------------------------------------------------------------
    def cmd_wait_window(self, pid, name=None, timeout=20):
        def ready():
            for window in self.windows(pid):
                if name is None or name in (window.name or ""):
                    return window
            return None
        return self.describe(self.wait(ready, timeout, f"a window named {name!r}"))

    def cmd_find(self, pid=None, root=None, role=None, name=None, showing=True, contains=False,
                 timeout=10):
        def found():
            start = self.get(root) if root is not None else self.app(pid)
            return self.search(start, role, name, showing, contains) if start is not None else None
        return self.describe(self.wait(found, timeout, f"a {role or 'control'} named {name!r}"))

    def cmd_children(self, obj):
        node = self.get(obj)
        return [self.describe(node.getChildAtIndex(i)) for i in range(node.childCount)]

    def cmd_describe(self, obj):
        return self.describe(self.get(obj))

    def cmd_focus_mark(self):
        self.pump()
        return {"focus": self.focus_seq, "announcement": len(self.announcements)}

    def cmd_focused(self, since=0, timeout=10):
        """The settled focus once a focus event newer than ``since`` has come."""
        def settled():
            if self.focus_seq <= since:
                return None
            if time.monotonic() - self.last_focus_time < SETTLE_S:
                return None
            return self.focused()
        return self.describe(self.wait(settled, timeout, "focus to move"))

    def cmd_grab_focus(self, obj, timeout=10):
        node = self.get(obj)
        node.queryComponent().grabFocus()
        return self.describe(self.wait(lambda: node.getState().contains(pyatspi.STATE_FOCUSED) and node,
                                       timeout, f"{node.name!r} to take focus"))

    def cmd_current_focus(self):
        """Where focus is now, by the latest focus event (for keys that need not move it)."""
        self.pump()
        node = self.focused()
        if node is None:
            raise ReaderError("nothing has focus")
        return self.describe(node)

    def cmd_keys(self, keys, window=None):
        argv = [XDOTOOL, "key", "--delay", "40", *keys]
        subprocess.run(argv, check=True, capture_output=True, timeout=30)
        return True

    def cmd_type(self, text):
        subprocess.run([XDOTOOL, "type", "--delay", "20", "--", text], check=True,
                       capture_output=True, timeout=60)
        return True

    def cmd_focus_window(self, title):
        """No window manager here: give the window the keyboard explicitly (accessibility.md)."""
        subprocess.run([XDOTOOL, "search", "--sync", "--onlyvisible", "--name", title,
                        "windowfocus", "--sync"], check=True, capture_output=True, timeout=30)
        return True

    def cmd_insert_text(self, obj, text, position=-1):
        node = self.get(obj)
        editable = node.queryEditableText()
        at = node.queryText().characterCount if position < 0 else position
        return bool(editable.insertText(at, text, len(text)))

    def cmd_text(self, obj):
        return self.get(obj).queryText().getText(0, -1)

    def cmd_actions(self, obj):
        action = self.get(obj).queryAction()
        return [action.getName(i) for i in range(action.nActions)]

    def cmd_do_action(self, obj, name):
        action = self.get(obj).queryAction()
        for index in range(action.nActions):
            if action.getName(index).lower() == name.lower():
                return bool(action.doAction(index))
        raise ReaderError(f"no action {name!r}")

    def cmd_announcements(self, since=0):
        self.pump()
        return self.announcements[since:]

    def cmd_wait_announcement(self, contains, since=0, timeout=10):
        def heard():
            return next((a for a in self.announcements[since:] if contains in a["text"]), None)
        return self.wait(heard, timeout, f"an announcement with {contains!r}")

    def cmd_tree(self, pid):
        lines = []
        for window in self.windows(pid):
            self.tree_lines(window, 0, lines)
        return "\n".join(lines) if lines else "(no window of the app on the AT-SPI bus)"

    def cmd_ping(self):
        return "pong"


def main():
    reader = Reader()
    lines = queue.Queue()

    def read_stdin():
        for line in sys.stdin:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read_stdin, daemon=True).start()
    while True:
        reader.pump()
        try:
            line = lines.get(timeout=0.02)
        except queue.Empty:
            continue
        if line is None:
            return
        try:
            request = json.loads(line)
            command = getattr(reader, "cmd_" + request.pop("cmd"))
            answer = {"ok": True, "result": command(**request)}
        except Exception as error:
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
