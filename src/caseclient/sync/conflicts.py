"""The "Needs attention" list and the per-field chooser behind it.

A conflict shows, for every field the officer changed that the central system
has changed too and holds differently, the officer's value ("mine") and the
server's ("theirs"). Fields only the officer changed (the central system still
holds the value the officer's change was based on) are not asked about: the
resolution sends them as they are (decision 0033).
The officer picks per field — mine, theirs, or an edited merge — and the
resolution is an ordinary update on the server's current version that names the
conflict in ``resolves``. Both sides stay in the record's history. Rejections
are shown with the server's reason and can be dismissed once dealt with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from caseclient.domain.canonical import JSONValue
from caseclient.errors import KnownError, RecordNotFound
from caseclient.storage import outbox, reconcile
from caseclient.storage.outbox import Mutation, MutationState
from caseclient.storage.records import read_row
from caseclient.storage.store import Store


class Pick(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


@dataclass(frozen=True)
class Edited:
    """An edited merge of both sides, typed by the officer."""

    value: JSONValue


Choice = Pick | Edited


class IncompleteChoice(KnownError):
    message = "Choose a value for every field in conflict."
    advice = "Pick yours, theirs, or type a merged value for each one."


@dataclass(frozen=True)
class FieldDifference:
    name: str
    mine: JSONValue
    theirs: JSONValue


@dataclass(frozen=True)
class Conflict:
    mutation_id: str
    record_type: str
    record_id: str
    fields: tuple[FieldDifference, ...]
    server_version: int
    changed_by: str | None
    changed_at: str | None
    deleted_by_server: bool          # the server deleted it; the officer edited it
    deleted_by_me: bool              # the officer deleted it; the server edited it
    # The officer's values of fields only this laptop changed since the version its change was
    # based on: not asked about, sent as they are with the resolution.
    kept: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    mutation_id: str
    record_type: str
    record_id: str
    op: str
    fields: Mapping[str, JSONValue]
    reason: str


Attention = Conflict | Rejection


def _conflict(conn: object, mutation: Mutation) -> Conflict | None:
    assert mutation.result is not None
    found = read_row(conn, mutation.record_type, mutation.record_id)
    if found is None:
        return None
    record = found[1]
    server = reconcile.latest_server_copy(mutation.result, record)
    touched: set[str] = set(mutation.fields)
    for later in outbox.unsent_for_record(conn, mutation.record_type, mutation.record_id):
        touched.update(later.fields)
    if mutation.op == "delete":
        touched.discard("deleted_reason")
    differing = [name for name in sorted(touched) if record.fields.get(name) != server.fields.get(name)]
    base = mutation.result.get(reconcile.LOCAL_BASE)
    unchanged_there: set[str] = set()
    if isinstance(base, dict) and not server.deleted and mutation.op != "delete":
        # Fields the central system still holds as they were when this laptop's change was
        # made: only this laptop changed them, so they are kept as "mine" without asking.
        unchanged_there = {name for name in differing
                           if name in base and server.fields.get(name) == base[name]}
    differences = tuple(FieldDifference(name, record.fields.get(name), server.fields.get(name))
                        for name in differing if name not in unchanged_there)
    kept = {name: record.fields.get(name) for name in differing if name in unchanged_there}
    changed_at = mutation.result.get("changed_at")
    changed_by = mutation.result.get("changed_by")
    return Conflict(mutation.mutation_id, mutation.record_type, mutation.record_id, differences,
                    server.version, changed_by if isinstance(changed_by, str) else server.changed_by,
                    changed_at if isinstance(changed_at, str) else None,
                    server.deleted, mutation.op == "delete", kept)


def needing_attention(store: Store) -> list[Attention]:
    """Conflicts (one per record: the latest) and rejections, oldest first."""
    conn = store.db.raw
    out: list[Attention] = []
    waiting = outbox.needing_attention(conn)
    latest_conflict: dict[tuple[str, str], str] = {}
    for mutation in waiting:
        if mutation.state is MutationState.CONFLICT:
            latest_conflict[(mutation.record_type, mutation.record_id)] = mutation.mutation_id
    for mutation in waiting:
        if mutation.state is MutationState.REJECTED:
            reason = (mutation.result or {}).get("reason")
            out.append(Rejection(mutation.mutation_id, mutation.record_type, mutation.record_id,
                                 mutation.op, mutation.fields,
                                 reason if isinstance(reason, str) else "The central system refused it."))
        elif latest_conflict.get((mutation.record_type, mutation.record_id)) == mutation.mutation_id:
            conflict = _conflict(conn, mutation)
            if conflict is not None:
                out.append(conflict)
    return out


def values_for(conflict: Conflict, choices: Mapping[str, Choice]) -> dict[str, JSONValue]:
    """The values the resolution sends: one chosen value per field in conflict, and the
    officer's own values of the fields only this laptop changed."""
    missing = [d.name for d in conflict.fields if d.name not in choices]
    if missing:
        raise IncompleteChoice()
    values: dict[str, JSONValue] = dict(conflict.kept)
    for difference in conflict.fields:
        choice = choices[difference.name]
        if isinstance(choice, Edited):
            values[difference.name] = choice.value
        else:
            values[difference.name] = difference.mine if choice is Pick.MINE else difference.theirs
    return values


def resolve(store: Store, conflict: Conflict, choices: Mapping[str, Choice], *,
            keep_deleted: bool | None = None, clock: Callable[[], dt.datetime]) -> str | None:
    """Settle ``conflict`` as chosen; returns the id of the resolving mutation (None when the
    server's side simply stands). ``keep_deleted`` decides a delete-vs-edit conflict."""
    values = values_for(conflict, choices)
    with store.db.transaction() as conn:
        current = outbox.get(conn, conflict.mutation_id)
        if current is None or current.state is not MutationState.CONFLICT:
            raise RecordNotFound("That conflict has already been settled.")
        made = reconcile.resolve(conn, conflict.mutation_id, values, keep_deleted=keep_deleted,
                                 actor=store.officer_code(), now=clock())
    return None if made is None else made.mutation_id


def dismiss(store: Store, rejection: Rejection, *, clock: Callable[[], dt.datetime]) -> None:
    """The officer has dealt with a rejection (re-entered or exported it)."""
    with store.db.transaction() as conn:
        reconcile.dismiss(conn, rejection.mutation_id, clock())
