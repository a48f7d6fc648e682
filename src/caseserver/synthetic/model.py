"""The shapes the synthetic caseload is handed over in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from caseclient.domain.canonical import JSONValue

GradeCode = Literal["PO", "PSO", "SPO"]
EditKind = Literal["amend", "add", "review", "reallocate"]


@dataclass(frozen=True)
class SyntheticOfficer:
    """A made-up member of staff who can sign in to the reference server."""

    staff_code: str
    username: str
    password: str = field(repr=False)  # never shown in logs or test output
    name: str
    grade: GradeCode
    team: str


@dataclass(frozen=True)
class SyntheticRecord:
    """One record in wire form (see ``caseclient.domain.schema``).

    ``case_id`` is the owning case: the record's own id for a ``case``, the
    ``case_id`` field for its children, None for ``reference`` entries.
    """

    record_type: str
    record_id: str
    case_id: str | None
    fields: dict[str, JSONValue]


@dataclass(frozen=True)
class Caseload:
    """Officers and records, records ordered reference, case, event, register, contact, assessment."""

    officers: tuple[SyntheticOfficer, ...]
    records: tuple[SyntheticRecord, ...]


@dataclass(frozen=True)
class OfficeEdit:
    """One change made by other staff in the office, to apply on the server.

    - ``amend``: partial fields of an existing contact;
    - ``review``: partial fields of an existing register;
    - ``add``: full fields of a new register or contact (``record_id`` is new);
    - ``reallocate``: a case, ``fields == {"officer_code": <another officer of the same team>}``.

    ``actor`` is the staff code of whoever makes the change.
    """

    kind: EditKind
    actor: str
    record_type: str
    record_id: str
    case_id: str
    fields: dict[str, JSONValue]
