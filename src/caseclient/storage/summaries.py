"""What the caseload shows per case, read from indexes instead of from every contact.

A laptop holds hundreds of contacts per case; the caseload needs, per case, the
appointments due without an outcome, the next appointment and the contacts not
yet sent. Decoding every contact for that cost seconds at 100,000 contacts
(docs/performance.md, "Caseload at 100,000 contacts"). Here, over indexes that
hold what the queries read (migration 0008), so no contact's row (and notes) is
read unless it is returned:

- :func:`unsent` counts dirty contacts (``records_dirty``);
- :func:`due_without_outcome` counts the live contacts of the appointment types
  with no outcome dated before today, whatever their start time: those have started;
- :func:`to_decide` returns the few live contacts whose start the caller must
  compare with the time now, with the four fields that matter, to be judged as
  the domain reads a contact: those dated today, each case's appointments on its
  first date after today, and any contact whose date is a string not shaped
  ``YYYY-MM-DD``.

The indexes are on plain columns of ``records`` that every write of a record's
``fields`` sets from the values it writes, with :func:`contact_columns`, in the
same statement: an index on an expression of ``fields`` would make SQLite parse
the whole JSON, notes included, on every autosave (docs/performance.md, "Autosave
commit latency").

Between them every live contact that can count is seen once: its date is a
valid ``YYYY-MM-DD`` before today (counted here), today, or after today (only
the case's first such date can hold its next appointment); or is another string
(returned); or is not a string and never counts (``parse_date`` reads None).
Appointment type codes are words from the reference lists; a contact's type is
compared as the string it holds.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseclient.storage import long_text

CONTACT_COLUMNS = ("contact_date", "contact_type", "contact_start", "contact_has_outcome")
"""The columns :func:`contact_columns` fills, in its order (migration 0008)."""
_SUMMARY_FIELDS = frozenset(("date", "contact_type", "start_time", "outcome"))
_SHAPE = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
_DECIDED_FIELDS = ("contact_type", "date", "start_time", "outcome")

ContactColumns = tuple[str | None, str | None, str | None, int | None]


def _text(value: JSONValue | None) -> str | None:
    return value if isinstance(value, str) else None


def contact_columns(record_type: str, fields: Mapping[str, JSONValue]) -> ContactColumns:
    """The values of :data:`CONTACT_COLUMNS` for a record holding ``fields``: a contact's
    date, type and start time when each is a string, and whether its outcome is a string
    (what :class:`~caseclient.domain.records.Contact` reads as an outcome); all None for
    another record type. A value that is not a string never counts in the queries here."""
    if record_type != "contact":
        return None, None, None, None
    return (_text(fields.get("date")), _text(fields.get("contact_type")),
            _text(fields.get("start_time")), int(isinstance(fields.get("outcome"), str)))


def touches_contact_columns(changed: Collection[str]) -> bool:
    """Whether changing the fields named ``changed`` can change :func:`contact_columns`."""
    return not _SUMMARY_FIELDS.isdisjoint(changed)


def _valid_date(table: str = "") -> str:
    """A date string shaped YYYY-MM-DD that is a real day from year 1 (as date.fromisoformat)."""
    d = f"{table}.contact_date" if table else "contact_date"
    return f"{d} >= '0001-01-01' AND {d} <= '9999-12-31' AND {d} GLOB {_SHAPE} AND date({d}) = {d}"


def _appointments(types: Collection[str], table: str = "") -> str:
    """Live contacts of ``types`` (one ``?`` each), in the terms the contact indexes answer."""
    r = f"{table}." if table else ""
    marks = ",".join("?" * len(types))
    return f"{r}record_type = 'contact' AND {r}deleted = 0 AND {r}contact_type IN ({marks})"


@dataclass(frozen=True)
class ContactToDecide:
    case_id: str | None
    fields: dict[str, JSONValue]     # contact_type, date, start_time and outcome, as stored


def live_fields(conn: Any, record_type: str) -> list[tuple[str, str | None, dict[str, JSONValue]]]:
    """(id, case id, fields) of the live records of a type, in the order they were stored:
    without what :class:`~caseclient.storage.records.StoredRecord` also reads."""
    rows = conn.execute(f"SELECT id, case_id, {long_text.columns()} FROM records "
                        "WHERE record_type = ? AND deleted = 0 ORDER BY rid", (record_type,)).fetchall()
    return [(r[0], r[1], long_text.values_of(conn, r, 2)) for r in rows]


def unsent(conn: Any) -> dict[str, int]:
    """Per case: contacts (deleted ones too) with local work not yet sent."""
    rows = conn.execute("SELECT case_id, count(*) FROM records WHERE dirty = 1 "
                        "AND record_type = 'contact' GROUP BY case_id").fetchall()
    return {r[0]: int(r[1]) for r in rows}


def due_without_outcome(conn: Any, types: Collection[str], today: str) -> dict[str, int]:
    """Per case: live contacts of ``types`` without an outcome dated before ``today`` (ISO)."""
    if not types:
        return {}
    rows = conn.execute(
        "SELECT case_id, count(*) FROM records INDEXED BY records_contact_no_outcome "
        f"WHERE {_appointments(types)} AND contact_has_outcome = 0 "
        f"AND contact_date < ? AND {_valid_date()} GROUP BY case_id", (*types, today)).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def to_decide(conn: Any, types: Collection[str], today: str) -> list[ContactToDecide]:
    """Live contacts dated ``today``, each case's ``types`` on its first date after it,
    and contacts whose date is a string not shaped ``YYYY-MM-DD``."""
    picked = ", ".join(f"r.fields -> '$.{name}'" for name in _DECIDED_FIELDS)
    rows = conn.execute(f"SELECT r.case_id, {picked} FROM records r INDEXED BY records_contact_date "
                        "WHERE r.record_type = 'contact' AND r.deleted = 0 AND r.contact_date = ?",
                        (today,)).fetchall()
    rows += conn.execute(
        f"SELECT r.case_id, {picked} FROM records r INDEXED BY records_contact_odd_date "
        "WHERE r.record_type = 'contact' AND r.deleted = 0 "
        f"AND r.contact_date NOT GLOB {_SHAPE}").fetchall()
    decided = [ContactToDecide(r[0], {name: json.loads(value) for name, value
                                      in zip(_DECIDED_FIELDS, r[1:], strict=True)
                                      if value is not None})
               for r in rows]
    if types:
        # Per case, one seek to its first appointment after today, then its types and start
        # times that day, from the index. Those have not started, whatever their outcome;
        # a start time that is not a string is NULL here, as the domain reads it (nothing).
        found = conn.execute(
            "WITH firsts (case_id, day) AS MATERIALIZED (SELECT c.id, ("
            "  SELECT contact_date FROM records INDEXED BY records_contact_by_case"
            f"  WHERE {_appointments(types)} AND case_id = c.id AND contact_date > ?"
            f"  AND {_valid_date()} ORDER BY contact_date LIMIT 1)"
            " FROM records c WHERE c.record_type = 'case') "
            "SELECT r.case_id, r.contact_type, f.day, r.contact_start FROM firsts f "
            "CROSS JOIN records r INDEXED BY records_contact_by_case "
            f"WHERE {_appointments(types, 'r')} AND r.case_id = f.case_id AND r.contact_date = f.day",
            (*types, today, *types)).fetchall()
        decided += [ContactToDecide(r[0], {"contact_type": r[1], "date": r[2], "start_time": r[3]})
                    for r in found]
    return decided
