"""Crash test: a child autosaves in a loop and is ``kill -9``-ed at random moments.

The same store is reused for every round, so any damage a kill did would pile up.
After each kill the parent reopens the store the way the app does and checks that
every save the child announced (it announces only after the commit returned) is
there with at least the announced content, that row, history and outbox agree
(see consistency.py) and that ``PRAGMA integrity_check`` is ``ok``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from caseclient.storage import outbox
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from tests.helpers.records import case_change
from tests.reliability.autosave_child import notes_text, saves_in
from tests.reliability.consistency import problems

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 50
SEED = 20261124


@dataclass
class Promises:
    """What the child announced, over all rounds so far."""

    created: set[str] = field(default_factory=set)
    saves: dict[str, int] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    lines: int = 0

    def take(self, line: str) -> None:
        word, *args = line.split()
        self.lines += 1
        if word == "create":
            self.created.add(args[0])
        elif word == "save":
            self.saves[args[0]] = max(self.saves.get(args[0], 0), int(args[1]))
        elif word == "finish":
            self.finished.add(args[0])
        elif word == "delete":
            self.deleted.add(args[0])
        elif word == "sending":
            self.sent.update(args)
        else:
            raise AssertionError(f"the child said something unexpected: {word!r}")


def broken_promises(store: Store, promised: Promises) -> list[str]:
    out: list[str] = []
    records = store.records
    for contact_id in promised.created | set(promised.saves) | promised.finished | promised.deleted:
        if records.get("contact", contact_id) is None:
            out.append(f"contact {contact_id} announced but missing")
    for contact_id, saves in promised.saves.items():
        record = records.get("contact", contact_id)
        notes = None if record is None else record.fields.get("notes")
        have = saves_in(notes)
        if have < saves or notes != notes_text(contact_id, have):
            out.append(f"contact {contact_id}: announced {saves} saves, the notes hold {have}")
    for contact_id in promised.finished:
        record = records.get("contact", contact_id)
        if record is not None and record.draft:
            out.append(f"contact {contact_id} announced finished but is a draft")
    for contact_id in promised.deleted:
        record = records.get("contact", contact_id)
        if record is not None and not record.deleted:
            out.append(f"contact {contact_id} announced deleted but is not")
    waiting = {m.mutation_id: m for m in outbox.waiting(store.db.raw, limit=1_000_000)}
    for mutation_id in promised.sent:
        mutation = waiting.get(mutation_id)
        if mutation is None or mutation.attempts < 1 or mutation.state is not MutationState.PENDING:
            out.append(f"mutation {mutation_id} announced sending: not pending again with attempts")
    return out


def run_one_round(path: Path, key_pragma: str, seed: int, *, typing_for: float | None,
                  kill_after: float) -> tuple[list[str], bool]:
    """Start the child and kill it; its complete lines, and whether it had opened the store.

    With ``typing_for`` the kill comes that long after the child said it is ready (a
    kill while typing, whatever the machine's speed); without it, ``kill_after``
    seconds after it started (a kill during start-up or while the store opens).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    with subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.autosave_child", str(path), str(seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            env=env) as child:
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        child.stdin.write((key_pragma + "\n").encode())
        child.stdin.close()
        first = b""
        if typing_for is None:
            time.sleep(kill_after)
        else:
            first = child.stdout.readline()          # blocks until "ready" (or an early death)
            time.sleep(typing_for)
        os.kill(child.pid, signal.SIGKILL)
        out, err = first + child.stdout.read(), child.stderr.read()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, f"the child died on its own:\n{err.decode()}"
    complete = out.decode("utf-8").split("\n")[:-1]   # a line cut by the kill was never promised
    opened = bool(complete) and complete[0] == "ready"
    return [line for line in complete if line != "ready"], opened


def test_every_announced_save_survives_kill_minus_nine(tmp_path: Path, key_pragma: str) -> None:
    path = tmp_path / "profile" / "cases.db"
    path.parent.mkdir()
    seeding = Store.open(path, key_pragma, backups_dir=path.parent / "backups")
    seeding.records.apply_server_records([case_change()])
    seeding.close()

    rng = random.Random(SEED)
    promised = Promises()
    typing_rounds = rounds_killed_while_typing = 0
    pieced_rounds = 0          # rounds after which some notes were kept in pieces
    for round_number in range(ROUNDS):
        # Most kills land while typing; every sixth (the first too) during start-up or opening.
        starting = round_number % 6 == 0
        typing_rounds += not starting
        lines, opened = run_one_round(path, key_pragma, rng.randrange(2**32),
                                      typing_for=None if starting else rng.uniform(0.08, 0.25),
                                      kill_after=rng.uniform(0.03, 0.25))
        rounds_killed_while_typing += bool(opened and lines)
        for line in lines:
            promised.take(line)
        store = Store.open(path, key_pragma, backups_dir=path.parent / "backups")
        try:
            found = broken_promises(store, promised) + problems(store, no_server=True)
            pieced_rounds += bool(store.db.scalar("SELECT count(*) FROM record_text"))
        finally:
            store.close()
        assert found == [], f"after kill {round_number + 1}: " + "; ".join(found[:10])

    # The test proved something only if the child did real work between kills.
    assert rounds_killed_while_typing >= typing_rounds // 2
    assert len(promised.saves) >= 5 and sum(promised.saves.values()) >= 100
    assert promised.finished and promised.deleted and promised.sent
    assert pieced_rounds >= ROUNDS // 2          # long notes, kept in pieces, were killed mid-save
